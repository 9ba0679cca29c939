# Mask R-CNN R50-FPN on COCO 2017, 1x: the released code's transfer recipe
# (detectron2's mask_rcnn_R_50_FPN_1x with SyncBN) on mmdet 3.3.
# Settings: configs/benchmarks/README.md, "Notes per config".
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
