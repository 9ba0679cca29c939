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
    '../_base_/pixpro_r50_transfer.py',
]

model = dict(
    data_preprocessor={{_base_.rgb_mask_preprocessor}},
    backbone={{_base_.transfer_backbone}},
    neck=dict(norm_cfg={{_base_.sync_bn}}),
    roi_head=dict(
        bbox_head=dict(
            type='Shared4Conv1FCBBoxHead',
            conv_out_channels=256,
            norm_cfg={{_base_.sync_bn}}),
        mask_head=dict(norm_cfg={{_base_.sync_bn}})))
