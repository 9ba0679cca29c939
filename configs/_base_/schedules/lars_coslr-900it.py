# The recipe's schedule (the LARS of pixpro_lars.py, linear warm-up from 1%
# of the lr for 5% of training, then cosine to 1e-6, stepped every
# iteration) over 900 iterations of a batch of 32, for one CPU. lr 4.0 is
# for a batch of 1024; the square root rule gives 4.0 * sqrt(32 / 1024) =
# 0.71. fp32: AMP is for GPUs.
_base_ = './pixpro_lars.py'

max_iters = 900
warmup_iters = 45
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(lr=0.71))
# pixpro_lars_coslr-100e.py's shape in iterations; restated because
# mmengine's _base_ replaces a list whole.
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
