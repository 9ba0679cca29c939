# Cityscapes for the UperNet transfer configs, whose mmseg bases are ADE20K
# ones: variables the configs take (mmengine refuses two bases that set the
# same names). mmseg's _base_/datasets/cityscapes.py data, 19 classes.
# Every transfer run checks that the pre-trained weights arrived.
custom_hooks = [dict(type='PretrainedWeightsCheckHook')]

# 512x1024 crops of 2048x1024 resized 0.5-2.0x, flip, photometric
# distortion; tested whole at 2048x1024.
cityscapes_data_root = 'data/cityscapes/'
cityscapes_crop_size = (512, 1024)
cityscapes_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=cityscapes_crop_size,
         cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
cityscapes_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
cityscapes_train = dict(
    type='CityscapesDataset',
    data_root=cityscapes_data_root,
    data_prefix=dict(
        img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
    pipeline=cityscapes_train_pipeline)
cityscapes_val = dict(
    type='CityscapesDataset',
    data_root=cityscapes_data_root,
    data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
    pipeline=cityscapes_test_pipeline)

# 80k iterations of 8 GPUs x 2 images (mmseg's Cityscapes UperNet
# schedule), the ADE20K bases' warm-up and poly decay.
cityscapes_max_iters = 80000
cityscapes_train_cfg = dict(max_iters=cityscapes_max_iters, val_interval=8000)
cityscapes_param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(
        type='PolyLR',
        power=1.0,
        begin=1500,
        end=cityscapes_max_iters,
        eta_min=0.0,
        by_epoch=False)
]
