# The small config: the full recipe on a narrow ResNet-18, batch 16, 4
# epochs, 224 px views, on one CPU (the engine tests run it).
# Notes: configs/pixpro/README.md, "Notes per config".
_base_ = [
    '../_base_/models/pixpro_resnet18-w16.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/pixpro_lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]

model = dict(data_preprocessor={{_base_.data_preprocessor}})
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(data_root='data/scenes/unlabeled', data_prefix=''))

# lr 4.0 is for a batch of 1024; the square-root rule gives 4.0 * sqrt(16 /
# 1024) = 0.5 for this batch of 16.
optim_wrapper = dict(optimizer=dict(lr=0.5))
# The 100-epoch schedule's shape over 4 epochs, 1 of warm-up (the list is
# restated: mmengine's _base_ replaces a list, it does not merge it).
param_scheduler = [
    dict(_base_.param_scheduler[0], end=1),
    dict(_base_.param_scheduler[1], T_max=3, begin=1, end=4)
]
train_cfg = dict(max_epochs=4)
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    logger=dict(interval=4),
    checkpoint=dict(interval=1, max_keep_ckpts=2))
