# What the 8-GPU configs of another backbone share (docs/recipe.md, "Other
# backbones"): the recipe's PixPro, views, runtime and DDP, with projectors
# from a 768-channel feature map; a config adds its backbone and schedule.
_base_ = [
    './models/pixpro_r50.py',
    './datasets/imagenet_pixpro.py',
    './default_runtime.py',
    './ddp_bucket_view.py',
]

projector = dict(_base_.projector, in_channels=768)
model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(_delete_=True),  # the config's
    neck=projector,
    instance_neck=projector)
