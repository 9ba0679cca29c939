# Mask R-CNN R50-FPN on COCO 2017 train, tested on COCO 2017 val: the
# transfer recipe of the released PixPro code (detectron2's
# mask_rcnn_R_50_FPN_1x with NORM SyncBN, as used by MoCo/PixPro), on
# mmdet 3.3.
# - ResNet-50 pytorch style (stride in the 3x3 conv), SyncBN in the backbone,
#   the FPN, the 4conv1fc box head and the mask head's 4 convs; nothing
#   frozen, BN in training mode; RGB input with ImageNet mean/std in 0-255.
# - data and 1x schedule: ../_base_/coco-instance_ms-1x.py (90k iterations,
#   640-800 multi-scale, box and mask AP).
# Set the weights with tools/benchmarks/mmdetection/dist_train.sh CONFIG
# PRETRAIN GPUS, or --cfg-options model.backbone.init_cfg.checkpoint=...
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/coco-instance_ms-1x.py',
]
custom_imports = dict(imports=['mmpixpro.evaluation', 'mmpretrain.models'])

# Backbone weights from tools/model_converters/extract_backbone_weights.py.
pretrained = 'work_dirs/pixpro_r50_backbone.pth'
norm_cfg = dict(type='SyncBN', requires_grad=True)

model = dict(
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_mask=True,
        pad_size_divisor=32),
    backbone=dict(
        style='pytorch',
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(
            type='Shared4Conv1FCBBoxHead',
            conv_out_channels=256,
            norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))
