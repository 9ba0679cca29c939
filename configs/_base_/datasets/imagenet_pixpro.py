# Two asymmetric views with tracked crop boxes (docs/recipe.md, "Data"), in
# two paths: train_pipeline (fast, with PhotometricDataPreprocessor) and
# pil_train_pipeline (released PIL path). See docs/data_pipeline.md.
dataset_type = 'UnlabeledImageFolder'
data_root = 'data/imagenet'

crop = dict(
    type='RandomResizedCropWithCoord',
    size=224,
    scale=(0.08, 1.),
    ratio=(3. / 4., 4. / 3.),
    interpolation='bilinear')
# The fast path resizes its crops with torch's antialiased uint8 kernel
# (within 1 level of PIL's, 3-4x faster on one core; docs/data_pipeline.md).
fast_crop = dict(crop, backend='torch')
flip = dict(type='RandomFlipWithCoord', prob=0.5)
# ColorJitter is torchvision's, as in the released code: mmcv 2.1's hue
# adjustment overflows under numpy 2 for negative hue factors.
jitter = dict(brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)

# Fast path. Both views: crop with its box, flip, colour jitter (p 0.8),
# grayscale (p 0.2); then the asymmetric part: view 1 always blurred, view 2
# blurred 10% of the time and solarized 20% of the time.
photometric = dict(
    type='DrawPhotometricParams',
    jitter=jitter,
    jitter_prob=0.8,
    grayscale_prob=0.2,
    blur_sigma=(0.1, 2.),
    solarize_threshold=128)
view_pipeline1 = [
    fast_crop, flip,
    dict(photometric, blur_prob=1.0, solarize_prob=0.)
]
view_pipeline2 = [
    fast_crop, flip,
    dict(photometric, blur_prob=0.1, solarize_prob=0.2)
]
train_pipeline = [
    # JPEGs through simplejpeg (the same pixels as PIL, 0-12% more samples
    # per core, docs/data_pipeline.md), anything else through PIL as in
    # LoadRGBImageFromFile; skip_invalid=True skips unreadable files (each is
    # logged) instead of stopping at the first one.
    dict(type='LoadRGBImageTurbo', skip_invalid=False),
    dict(type='TwoViewsWithCoord', transforms=[view_pipeline1,
                                               view_pipeline2]),
    dict(
        type='PackInputs',
        algorithm_keys=['coord', 'photometric'],
        meta_keys=['img_path']),
]

# PIL path: the same recipe, every op in the workers.
pil_view_common = [
    crop, flip,
    dict(
        type='RandomApply',
        transforms=[dict(type='torchvision/ColorJitter', **jitter)],
        prob=0.8),
    dict(type='torchvision/RandomGrayscale', p=0.2),
]
pil_view_pipeline1 = pil_view_common + [
    dict(
        type='RandomApply',
        transforms=[dict(type='PILGaussianBlur', sigma_min=0.1, sigma_max=2.)],
        prob=1.0),
]
pil_view_pipeline2 = pil_view_common + [
    dict(
        type='RandomApply',
        transforms=[dict(type='PILGaussianBlur', sigma_min=0.1, sigma_max=2.)],
        prob=0.1),
    dict(type='torchvision/RandomSolarize', threshold=128, p=0.2),
]
pil_train_pipeline = [
    dict(type='LoadRGBImageFromFile', skip_invalid=False),
    dict(
        type='TwoViewsWithCoord',
        transforms=[pil_view_pipeline1, pil_view_pipeline2]),
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
