# The main job's schedule since 2026-12-07: lars_coslr-900it.py's optimiser,
# lr and schedule shape (5 % linear warm-up, then cosine to 1e-6, stepped
# every iteration) over twice the steps, 1800, in bf16 autocast without loss
# scaling (AutocastOptimWrapper). On a CPU with AMX (oneDNN's bf16 kernels)
# a step of the main job's models takes about half the fp32 time with
# channels_last weights; why 1800 steps: docs/main_job.md.
_base_ = './pixpro_lars.py'

max_iters = 1800
warmup_iters = 90
optim_wrapper = dict(
    type='AutocastOptimWrapper',
    dtype='bfloat16',
    loss_scale=None,
    optimizer=dict(lr=0.71))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=False,
        begin=0,
        end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        T_max=max_iters - warmup_iters,
        eta_min=1e-6,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
auto_scale_lr = dict(base_batch_size=32, enable=False, rule='sqrt')
