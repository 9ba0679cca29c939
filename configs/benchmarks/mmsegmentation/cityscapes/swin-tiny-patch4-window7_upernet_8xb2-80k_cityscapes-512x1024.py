# UperNet Swin-T on Cityscapes: mmseg's Swin-T UperNet config with
# Cityscapes data, from the backbone of
# configs/pixpro/pixpro_swin-tiny_8xb128.py (configs/benchmarks/README.md).
_base_ = ('mmseg::swin/swin-tiny-patch4-window7-in1k-pre_'
          'upernet_8xb2-160k_ade20k-512x512.py')
custom_imports = dict(imports=['mmpixpro.evaluation'])

# Backbone weights from tools/model_converters/extract_backbone_weights.py,
# under mmseg's Swin names (mmpretrain's).
pretrained = 'work_dirs/pixpro_swin-tiny_backbone.pth'
# Cityscapes fine train -> val instead of ADE20K: mmseg's
# _base_/datasets/cityscapes.py (512x1024 crops of 2048x1024 resized 0.5-2.0x,
# flip, photometric distortion; tested whole at 2048x1024), 19 classes.
# mmengine refuses two bases that set the same names, hence restated.
crop_size = (512, 1024)
data_root = 'data/cityscapes/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    dataset=dict(
        type='CityscapesDataset',
        data_root=data_root,
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type='CityscapesDataset',
        data_root=data_root,
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# 80k iterations of 8 GPUs x 2 images (mmseg's Cityscapes UperNet
# schedule), the base's warm-up and poly decay.
max_iters = 80000
train_cfg = dict(max_iters=max_iters, val_interval=8000)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(
        type='PolyLR',
        power=1.0,
        begin=1500,
        end=max_iters,
        eta_min=0.0,
        by_epoch=False)
]
# Every transfer run checks that the pre-trained weights arrived.
custom_hooks = [dict(type='PretrainedWeightsCheckHook')]
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19))
