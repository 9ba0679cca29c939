# Mask R-CNN R50-FPN on COCO (./mask-rcnn_r50-fpn_ms-1x_coco.py: model,
# data, 1x schedule, SyncBN, RGB ImageNet mean/std, nothing frozen) with
# the backbone AND the FPN from head network pre-training
# (configs/pixpro/pixpro_r50-fpn_8xb128.py, whose FPN has this FPN's layout:
# C2-C5 in, P2-P6 out, 256 channels, SyncBN). The RPN and RoI heads start
# from their usual init.
# Weights: `extract_backbone_weights.py CKPT OUT --with-neck` (backbone
# keys and neck.*); the FPN loads its `neck.` part. Set them with
# `pretrained` below or tools/benchmarks/mmdetection/dist_train.sh CONFIG
# OUT GPUS (which fills every Pretrained init_cfg).
_base_ = './mask-rcnn_r50-fpn_ms-1x_coco.py'

pretrained = 'work_dirs/pixpro_r50-fpn_neck.pth'
model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='neck.')))
