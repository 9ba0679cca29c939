# Mask R-CNN R50-C4 on COCO 2017, 1x: the released code's transfer recipe
# (detectron2's mask_rcnn_R_50_C4_1x, extra-norm res5) on mmdet 3.3.
# Settings: configs/benchmarks/README.md, "Notes per config".
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50-caffe-c4.py',
    '../_base_/coco-instance_ms-1x.py',
    '../_base_/pixpro_r50_transfer.py',
]

model = dict(
    data_preprocessor={{_base_.rgb_mask_preprocessor}},
    backbone={{_base_.transfer_backbone}},
    roi_head=dict(shared_head={{_base_.res5_extra_norm}}),
    # detectron2's RPN.BOUNDARY_THRESH -1: anchors crossing the image border
    # are trained on (mmdet's C4 base, from Detectron1, ignores them).
    train_cfg=dict(rpn=dict(allowed_border=-1)))
