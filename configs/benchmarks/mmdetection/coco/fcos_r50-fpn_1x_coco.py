# FCOS R50-FPN, COCO 1x, with backbone, FPN and head towers from head network
# pre-training (configs/pixpro/pixpro_r50-fpn-fcoshead_8xb128.py, --with-neck).
# Settings and weights: configs/benchmarks/README.md, "Notes per config".
_base_ = [
    '../_base_/coco-detection_ms-1x.py',
    '../_base_/pixpro_r50_transfer.py',
]
custom_imports = dict(imports=['mmpixpro.evaluation'])

# The whole ResNet is written out below (FCOS has no mmdet model base to
# merge the transfer conventions into), with these weights in every part.
pretrained = 'work_dirs/pixpro_r50-fpn-fcoshead_neck.pth'
norm_cfg = {{_base_.sync_bn}}

model = dict(
    type='FCOS',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(
        type='FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        start_level=1,
        add_extra_convs='on_output',
        num_outs=5,
        relu_before_extra_convs=True,
        norm_cfg=norm_cfg,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='neck.')),
    bbox_head=dict(
        type='FCOSHead',
        num_classes=80,
        in_channels=256,
        stacked_convs=4,
        feat_channels=256,
        strides=[8, 16, 32, 64, 128],
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        loss_cls=dict(
            type='FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='IoULoss', loss_weight=1.0),
        loss_centerness=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        # FCOSHead's own init for the predictors, then the towers from the
        # checkpoint (mmengine applies Pretrained last).
        init_cfg=[
            dict(
                type='Normal',
                layer='Conv2d',
                std=0.01,
                override=dict(
                    type='Normal', name='conv_cls', std=0.01,
                    bias_prob=0.01)),
            dict(type='Pretrained', checkpoint=pretrained,
                 prefix='bbox_head.')
        ]),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=100))

optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(
        norm_decay_mult=0., bias_lr_mult=2., bias_decay_mult=0.),
    clip_grad=dict(max_norm=35, norm_type=2))
