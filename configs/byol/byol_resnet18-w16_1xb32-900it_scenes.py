# The instance-level baseline of the README's main job: mmpretrain's BYOL
# (byol_resnet50_16xb256-coslr-200e_in1k.py) with exactly the backbone, data,
# views, batch, steps, optimiser and schedule of
# configs/pixpro/pixpro_resnet18-w16_1xb32-900it_scenes.py. Only the method
# differs: BYOL pools C5 to one vector per view; its projector and predictor
# are scaled like PixPro's (128 -> 256 -> 64, 64 -> 256 -> 64). Momentum
# 0.99 at the start, cosine to 1, as for PixPro (mmpretrain writes 1 - tau).
_base_ = [
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/default_runtime.py',
]

norm_cfg = dict(type='BN')
model = dict(
    type='mmpretrain.BYOL',
    base_momentum=0.01,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=16,
        base_channels=16,
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        out_indices=(3, ),
        norm_cfg=norm_cfg,
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=128,
        hid_channels=256,
        out_channels=64,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True,
        norm_cfg=dict(type='BN1d')),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=64,
            hid_channels=256,
            out_channels=64,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False,
            norm_cfg=dict(type='BN1d')),
        loss=dict(type='CosineSimilarityLoss')))

env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)
# A progress bar with ETA over the run; the logger's lines (and the loss
# curve's points) every 20 steps.
custom_hooks = [dict(type='FiniteLossHook'), dict(type='ProgressBarHook')]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=300, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
