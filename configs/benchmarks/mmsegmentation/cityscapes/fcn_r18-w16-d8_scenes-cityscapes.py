# The main job's miniature of fcn_r50-d8_4xb2-40k_cityscapes-769x769.py on one
# CPU: width, image size, schedule and dataset changed, nothing else.
# Settings: configs/benchmarks/README.md, "Notes per config".
_base_ = './fcn_r50-d8_4xb2-40k_cityscapes-769x769.py'

# --- width (and, marked, image size)
bn = dict(type='BN', requires_grad=True)
num_classes = 7  # dataset
crop_size = (96, 96)  # image size
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=bn),
    decode_head=dict(
        in_channels=128, channels=32, norm_cfg=bn, num_classes=num_classes),
    auxiliary_head=dict(
        in_channels=64, channels=16, norm_cfg=bn, num_classes=num_classes),
    test_cfg=dict(crop_size=crop_size, stride=(64, 64)))

# --- image size: the 128 px scenes shown at 256 px, as the detector and the
# dense probe see them
scale = (512, 256)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=scale,
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]

# --- dataset: data/scenes/cityscapes (train 300, val 100); the fine-tune
# sees the first 30 train scenes (label-scarce, as the paper's COCO 1 %)
data_root = 'data/scenes/cityscapes/'
scene_classes = ('background', 'disc', 'square', 'triangle', 'ring', 'bar',
                 'cross')
scenes_dataset = dict(
    type='BaseSegDataset',
    data_root=data_root,
    metainfo=dict(classes=scene_classes),
    img_suffix='_leftImg8bit.png',
    seg_map_suffix='_gtFine_labelTrainIds.png')
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(
        scenes_dataset,
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        indices=30,
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(
        scenes_dataset,
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# --- schedule: 1000 iterations instead of 40k, at 10x the user's lr (at
# 0.01 the short schedule stops far from convergence)
max_iters = 1000
optim_wrapper = dict(optimizer=dict(lr=0.1))
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))

# --- display only: a progress bar with ETA (the main job's stages show
# one). mmpixpro's registry is mmpretrain's child, so from mmdet's and
# mmseg's scope the hook is reached through both scopes.
custom_hooks = [
    dict(type='PretrainedWeightsCheckHook'),
    dict(type='mmpretrain.mmpixpro.ProgressBarHook')
]
