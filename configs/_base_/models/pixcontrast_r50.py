# PixContrast with ResNet-50: PixPro's backbone, projector and momentum
# target (section 1 of the reference recipe), with the pixel contrastive
# head instead of the PPM and the consistency loss.
# Inputs reach the model as RGB (LoadRGBImageFromFile), so no channel swap.
model = dict(
    type='PixContrast',
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
    # Per-pixel MLP 2048 -> 4096 -> 256.
    neck=dict(
        type='PixelProjector',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        norm_cfg=dict(type='SyncBN')),
    head=dict(
        type='PixContrastHead',
        temperature=0.3,  # tau of the InfoNCE
        pos_threshold=0.7,  # T
        chunk_size=None))  # e.g. 1024 for large feature maps: linear memory
