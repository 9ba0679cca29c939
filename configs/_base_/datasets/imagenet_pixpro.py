# Two asymmetric views with tracked crop boxes (section 5 of the reference).
# Any folder of images works: change data_root / data_prefix, no annotation
# file is needed (UnlabeledImageFolder searches it recursively).
dataset_type = 'UnlabeledImageFolder'
data_root = 'data/imagenet'

# ColorJitter is torchvision's, as in the released code: mmcv 2.1's hue
# adjustment overflows under numpy 2 for negative hue factors.
# Both views: crop with its box, flip, colour jitter, grayscale ...
view_common = [
    dict(
        type='RandomResizedCropWithCoord',
        size=224,
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
# ... then the asymmetric part: always blurred view 1; view 2 blurred 10% of
# the time and solarized 20% of the time.
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
    # skip_invalid=True skips unreadable files (each is logged) instead of
    # stopping at the first one.
    dict(type='LoadRGBImageFromFile', skip_invalid=False),
    dict(type='TwoViewsWithCoord', transforms=[view_pipeline1,
                                               view_pipeline2]),
    dict(type='PackInputs', algorithm_keys=['coord'], meta_keys=['img_path']),
]

train_dataloader = dict(
    batch_size=128,  # per GPU
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='train',
        pipeline=train_pipeline))
