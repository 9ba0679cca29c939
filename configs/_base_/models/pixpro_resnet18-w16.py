# PixPro of pixpro_r50.py on the narrow ResNet-18 of resnet18-w16.py, for
# one CPU: projectors 128 -> 256 -> 64 (pixel and instance branch), PPM and
# instance predictor at 64 channels, plain BN throughout; PPM, loss, T,
# momentum and the instance branch's weight as in the recipe.
_base_ = ['./pixpro_r50.py', './resnet18-w16.py']

projector_w16 = dict(
    in_channels=128,
    hid_channels=256,
    out_channels=64,
    norm_cfg={{_base_.norm_cfg}})
model = dict(
    backbone={{_base_.resnet18_w16}},
    neck=projector_w16,
    head=dict(predictor=dict(channels=64, norm_cfg={{_base_.norm_cfg}})),
    instance_neck=projector_w16,
    instance_head=dict(
        predictor=dict(
            in_channels=64,
            hid_channels=256,
            out_channels=64,
            norm_cfg={{_base_.norm_cfg}})))
