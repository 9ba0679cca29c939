# Mask R-CNN R50-C4 on COCO 2017 train, tested on COCO 2017 val: the
# transfer recipe of the released PixPro code (detectron2's
# mask_rcnn_R_50_C4_1x with Res5ROIHeadsExtraNorm, as in MoCo's
# coco_R_50_C4 configs), on mmdet 3.3.
# - ResNet-50 pytorch style (stride in the 3x3 conv), SyncBN everywhere,
#   nothing frozen, BN in training mode; res5 plus an extra norm shared by the
#   box and mask heads; RGB input with ImageNet mean/std in 0-255 (mmdet's
#   caffe normalisation of its C4 base is replaced, not kept).
# - data and 1x schedule: ../_base_/coco-instance_ms-1x.py (90k iterations,
#   640-800 multi-scale, box and mask AP).
# Set the weights with tools/benchmarks/mmdetection/dist_train.sh CONFIG
# PRETRAIN GPUS, or --cfg-options on both Pretrained init_cfgs.
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
