# What the two data paths of the recipe's views share (docs/recipe.md,
# "Data"): the ImageNet folder and loader, the crop with its box, the flip,
# the jitter values. Each path adds its pipeline and data_preprocessor:
# imagenet_pixpro.py (fast) and imagenet_pixpro_pil.py (PIL).
dataset_type = 'UnlabeledImageFolder'
data_root = 'data/imagenet'

crop = dict(
    type='RandomResizedCropWithCoord',
    size=224,
    scale=(0.08, 1.),
    ratio=(3. / 4., 4. / 3.),
    interpolation='bilinear')
flip = dict(type='RandomFlipWithCoord', prob=0.5)
# ColorJitter is torchvision's, as in the released code: mmcv 2.1's hue
# adjustment overflows under numpy 2 for negative hue factors.
jitter = dict(brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1)

train_dataloader = dict(
    batch_size=128,  # per GPU
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type=dataset_type, data_root=data_root,
                 data_prefix='train'))
