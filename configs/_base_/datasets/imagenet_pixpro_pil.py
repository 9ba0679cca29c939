# The recipe's two views on the released PIL path: every op in the workers
# on PIL images, so data_preprocessor only normalises; a config takes both
# (model.data_preprocessor from _base_). Fast path: imagenet_pixpro.py.
_base_ = './imagenet_pixpro_common.py'

view_common = [
    _base_.crop,
    _base_.flip,
    dict(
        type='RandomApply',
        transforms=[dict(type='torchvision/ColorJitter', **_base_.jitter)],
        prob=0.8),
    dict(type='torchvision/RandomGrayscale', p=0.2),
]
view_pipeline1 = view_common + [
    dict(
        type='RandomApply',
        transforms=[dict(type='PILGaussianBlur', sigma_min=0.1, sigma_max=2.)],
        prob=1.0),
]
view_pipeline2 = view_common + [
    dict(
        type='RandomApply',
        transforms=[dict(type='PILGaussianBlur', sigma_min=0.1, sigma_max=2.)],
        prob=0.1),
    dict(type='torchvision/RandomSolarize', threshold=128, p=0.2),
]
train_pipeline = [
    dict(type='LoadRGBImageFromFile', skip_invalid=False),
    dict(
        type='TwoViewsWithCoord',
        transforms=[view_pipeline1, view_pipeline2]),
    dict(type='PackInputs', algorithm_keys=['coord'], meta_keys=['img_path']),
]
# The other half: the views arrive augmented and in RGB, normalisation only.
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=False)

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
