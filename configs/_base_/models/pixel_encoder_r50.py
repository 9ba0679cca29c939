# What PixPro and PixContrast share with ResNet-50 (docs/recipe.md,
# "Model"): the backbone, the per-pixel projector and the momentum of the
# target network that copies both. The algorithm's base (pixpro_r50.py,
# pixcontrast_r50.py) adds its type and head; the data preprocessor comes
# with the train pipeline, from the dataset base (_base_/datasets/).

# Per-pixel MLP 2048 -> 4096 -> 256.
projector = dict(
    type='PixelProjector',
    in_channels=2048,
    hid_channels=4096,
    out_channels=256,
    norm_cfg=dict(type='SyncBN'))
model = dict(
    base_momentum=0.99,  # tau at iteration 0, cosine to 1 at the end
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(3, ),  # C5 only
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=projector)
