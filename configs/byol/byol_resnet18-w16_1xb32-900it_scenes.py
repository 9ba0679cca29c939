# The instance-level baseline of the README's main job: mmpretrain's BYOL
# (byol_resnet50_16xb256-coslr-200e_in1k.py) with exactly the backbone, data,
# views, batch, steps, optimiser, schedule and runtime of
# configs/pixpro/pixpro_resnet18-w16_1xb32-900it_scenes.py (the same
# _base_ files). Only the method differs: BYOL pools C5 to one vector per
# view; its projector and predictor are scaled like PixPro's (128 -> 256 ->
# 64, 64 -> 256 -> 64). Momentum 0.99 at the start, cosine to 1, as for
# PixPro (mmpretrain writes 1 - tau).
_base_ = [
    '../_base_/models/resnet18-w16.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/main_job_runtime.py',
]

model = dict(
    type='mmpretrain.BYOL',
    base_momentum=0.01,
    # The scenes data base's half: the views arrive augmented (PIL path).
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.resnet18_w16_os16}},
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
