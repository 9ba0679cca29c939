# The main job's dense contrastive peer: mmpretrain's DenseCL with the PixPro
# scenes config's backbone, data, views, batch, steps, optimiser and schedule;
# only the queue is scaled (96). Why each value: configs/densecl/README.md.
_base_ = [
    '../_base_/models/resnet18-w16.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/main_job_runtime.py',
]

queue_len = 96
model = dict(
    type='mmpretrain.DenseCL',
    queue_len=queue_len,
    feat_dim=64,
    # mmengine's EMA convention, the weight of the new value: the key
    # encoder keeps 99.9 % of itself per step (MoCo's 0.999).
    momentum=0.001,
    loss_lambda=0.5,
    # The scenes data base's half: the views arrive augmented (PIL path).
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.resnet18_w16_os16}},
    neck=dict(
        type='DenseCLNeck',
        in_channels=128,
        hid_channels=256,
        out_channels=64,
        num_grid=None),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.2))
