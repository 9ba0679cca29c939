# mmpretrain's BYOL on the narrow ResNet-18 of resnet18-w16.py, the main
# job's instance-level peer of pixpro_resnet18-w16.py: projector and
# predictor 128 -> 256 -> 64 (PixPro's widths), BN1d, PixPro's target
# momentum (base 0.99; 0.01 in mmengine's convention). A config adds its
# data_preprocessor and may replace the backbone.
_base_ = ['./resnet18-w16.py']

model = dict(
    type='mmpretrain.BYOL',
    base_momentum=0.01,
    backbone={{_base_.resnet18_w16}},
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
