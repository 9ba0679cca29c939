# The main job's instance-level peer: mmpretrain's BYOL with the backbone,
# data, views, batch, steps, optimiser and schedule of the PixPro scenes
# config. Notes: configs/byol/README.md, "Notes per config".
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
        type='LatentPredictHead', loss=dict(type='CosineSimilarityLoss')))
# The predictor: the projector's MLP on the 64-channel projection, unpooled.
model['head']['predictor'] = dict(
    model['neck'], in_channels=64, with_avg_pool=False)
