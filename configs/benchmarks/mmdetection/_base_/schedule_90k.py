# detectron2's 1x on mmdet's runtime: 90k iterations of batch 16, SGD lr
# 0.02, 1000 warm-up iterations from 0.001, steps x0.1 at 60k/80k, one
# validation at the end. COCO's ./coco-instance_ms-1x.py; VOC's at 24k.
_base_ = 'mmdet::_base_/default_runtime.py'

max_iters = 90000
train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    # detectron2's WEIGHT_DECAY_NORM 0: no weight decay on norm layers.
    paramwise_cfg=dict(norm_decay_mult=0.))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=1000),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[60000, 80000], gamma=0.1)
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(by_epoch=False, interval=10000, max_keep_ckpts=2))
log_processor = dict(by_epoch=False)
auto_scale_lr = dict(enable=False, base_batch_size=16)
