# PixPro with ResNet-50 (docs/recipe.md, "Model", "Loss" and "Instance
# branch"): the encoder of pixel_encoder_r50.py, the PPM and the pixel
# consistency loss, and the optional instance branch.
_base_ = './pixel_encoder_r50.py'

model = dict(
    type='PixPro',
    head=dict(
        type='PixProHead',
        pos_threshold=0.7,  # T
        predictor=dict(
            type='PPM',
            channels=256,
            gamma=2.0,
            clamp_min=0.0,
            num_transform_layers=1,
            # The released code left the 2-layer transform's BN unsynced.
            norm_cfg=dict(type='BN'))),
    # Instance branch, built only when the weight is > 0; its projector is
    # the pixel branch's MLP, with weights of its own.
    instance_loss_weight=0.,
    instance_neck={{_base_.projector}},
    instance_head=dict(
        type='InstanceConsistencyHead',
        predictor=dict(
            type='PixelProjector',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            norm_cfg=dict(type='SyncBN'))))
