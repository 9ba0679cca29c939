# The README's main job: PixPro on generated scenes, on one CPU in minutes.
# The recipe of pixpro_r50_8xb128.py scaled down: a narrow ResNet-18 (16 base
# channels) with output stride 16 (last stage dilated), so 112 px views give
# the paper's 7x7 C5 grid; projector 128 -> 256 -> 64; PPM, loss, T, momentum
# and the two-view pipeline as in the recipe; 900 iterations of 32 pairs.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/default_runtime.py',
]

norm_cfg = dict(type='BN')
model = dict(
    # scenes_pixpro.py is the PIL path: views arrive augmented.
    data_preprocessor=dict(type='SelfSupDataPreprocessor'),
    backbone=dict(
        depth=18,
        stem_channels=16,
        base_channels=16,
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        norm_cfg=norm_cfg),
    neck=dict(
        in_channels=128, hid_channels=256, out_channels=64,
        norm_cfg=norm_cfg),
    head=dict(predictor=dict(channels=64, norm_cfg=norm_cfg)),
    instance_neck=dict(
        in_channels=128, hid_channels=256, out_channels=64,
        norm_cfg=norm_cfg),
    instance_head=dict(
        predictor=dict(
            in_channels=64,
            hid_channels=256,
            out_channels=64,
            norm_cfg=norm_cfg)))

env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)
# A progress bar with ETA over the run; the logger's lines (and the loss
# curve's points) every 20 steps.
custom_hooks = [dict(type='FiniteLossHook'), dict(type='ProgressBarHook')]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=300, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
