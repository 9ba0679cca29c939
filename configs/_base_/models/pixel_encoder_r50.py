# What PixPro and PixContrast share with ResNet-50 (docs/recipe.md,
# "Model"): the backbone, the per-pixel projector and the momentum of the
# target network that copies both, and the data preprocessor. The
# algorithm's base (pixpro_r50.py, pixcontrast_r50.py) adds its type and
# head. Inputs reach the model as RGB (LoadRGBImageFromFile), so no
# channel swap.

# Per-pixel MLP 2048 -> 4096 -> 256.
projector = dict(
    type='PixelProjector',
    in_channels=2048,
    hid_channels=4096,
    out_channels=256,
    norm_cfg=dict(type='SyncBN'))
model = dict(
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
    neck=projector)
