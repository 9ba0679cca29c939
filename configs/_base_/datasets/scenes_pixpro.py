# The two-view recipe of imagenet_pixpro_pil.py at 112 px for 128 px scenes,
# restated (the crop size sits inside lists, which _base_ cannot edit);
# configs take model.data_preprocessor from _base_.data_preprocessor.
dataset_type = 'UnlabeledImageFolder'
data_root = 'data/scenes/unlabeled'
view_size = 112

view_common = [
    dict(
        type='RandomResizedCropWithCoord',
        size=view_size,
        scale=(0.08, 1.),
        ratio=(3. / 4., 4. / 3.),
        interpolation='bilinear'),
    dict(type='RandomFlipWithCoord', prob=0.5),
    dict(
        type='RandomApply',
        transforms=[
            dict(
                type='torchvision/ColorJitter',
                brightness=0.4,
                contrast=0.4,
                saturation=0.2,
                hue=0.1)
        ],
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
    dict(type='TwoViewsWithCoord', transforms=[view_pipeline1,
                                               view_pipeline2]),
    dict(type='PackInputs', algorithm_keys=['coord'], meta_keys=['img_path']),
]
# The other half: the views arrive augmented and in RGB, normalisation only.
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=False)
train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    pin_memory=False,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='',
        pipeline=train_pipeline))
