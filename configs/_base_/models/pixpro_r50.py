# PixPro with ResNet-50 (section 1 of the reference recipe).
# Inputs reach the model as RGB (LoadRGBImageFromFile), so no channel swap.

# Per-pixel MLP 2048 -> 4096 -> 256, for the pixel and the instance branch.
projector = dict(
    type='PixelProjector',
    in_channels=2048,
    hid_channels=4096,
    out_channels=256,
    norm_cfg=dict(type='SyncBN'))
model = dict(
    type='PixPro',
    base_momentum=0.99,  # tau at iteration 0, cosine to 1 at the end
    # The fast path's photometric ops, on the device (goes with the
    # train_pipeline of configs/_base_/datasets/imagenet_pixpro.py).
    data_preprocessor=dict(
        type='PhotometricDataPreprocessor',
        non_blocking=True,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(3, ),  # C5 only
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=projector,
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
    # Instance branch (section 4), built only when the weight is > 0.
    instance_loss_weight=0.,
    instance_neck=projector,
    instance_head=dict(
        type='InstanceConsistencyHead',
        predictor=dict(
            type='PixelProjector',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            norm_cfg=dict(type='SyncBN'))))
