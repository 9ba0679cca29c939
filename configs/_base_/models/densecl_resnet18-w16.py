# mmpretrain's DenseCL on the narrow ResNet-18 of resnet18-w16.py, the main
# job's dense contrastive peer of pixpro_resnet18-w16.py: mmpretrain's loss
# settings, its neck at PixPro's widths (128 -> 256 -> 64); only the queue
# is scaled, to 96 (why each value: configs/densecl/README.md). A config
# adds its data_preprocessor and may replace the backbone.
_base_ = ['./resnet18-w16.py']

queue_len = 96
model = dict(
    type='mmpretrain.DenseCL',
    queue_len=queue_len,
    feat_dim=64,
    # mmengine's EMA convention, the weight of the new value: the key
    # encoder keeps 99.9 % of itself per step (MoCo's 0.999).
    momentum=0.001,
    loss_lambda=0.5,
    backbone={{_base_.resnet18_w16}},
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
