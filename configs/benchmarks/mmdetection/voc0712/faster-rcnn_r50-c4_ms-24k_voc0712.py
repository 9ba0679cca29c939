# Faster R-CNN R50-C4 on VOC07+12 -> VOC07 test: the released code's transfer
# recipe (detectron2's Pascal_VOC_R_50_C4_24k, extra-norm res5) on mmdet 3.3.
# Settings: configs/benchmarks/README.md, "Notes per config".
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50-caffe-c4.py',
    'mmdet::_base_/datasets/voc0712.py',
    '../_base_/schedule_90k.py',
    '../_base_/pixpro_r50_transfer.py',
]

model = dict(
    data_preprocessor={{_base_.rgb_preprocessor}},
    backbone={{_base_.transfer_backbone}},
    roi_head=dict(
        shared_head={{_base_.res5_extra_norm}},
        bbox_head=dict(num_classes=20)),
    # detectron2's RPN.BOUNDARY_THRESH -1: anchors crossing the image border
    # are trained on (mmdet's C4 base, from Detectron1, ignores them).
    train_cfg=dict(rpn=dict(allowed_border=-1)))

# The pipelines have the shapes of ../_base_/coco-detection_ms-1x.py's
# with VOC's numbers; restated, as that file also sets COCO's data.
train_scales = [(1333, s) for s in range(480, 801, 32)]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
data_root = 'data/VOCdevkit/'
voc_trainval = dict(
    type='VOCDataset',
    data_root=data_root,
    filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
    pipeline=train_pipeline)
train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        ignore_keys=['dataset_type'],
        datasets=[
            dict(
                voc_trainval,
                ann_file='VOC2007/ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root='VOC2007/')),
            dict(
                voc_trainval,
                ann_file='VOC2012/ImageSets/Main/trainval.txt',
                data_prefix=dict(sub_data_root='VOC2012/')),
        ]))
val_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='VOCMetric',
    metric='mAP',
    eval_mode='11points',
    iou_thrs=[0.5 + 0.05 * i for i in range(10)])
test_evaluator = val_evaluator

# detectron2's 24k schedule: the 90k one's SGD with 100 warm-up iterations
# and steps at 18k/22k.
max_iters = 24000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(_base_.param_scheduler[0], end=100),
    dict(_base_.param_scheduler[1], end=max_iters, milestones=[18000, 22000])
]
default_hooks = dict(checkpoint=dict(interval=4000))
