# Mask R-CNN R50-FPN on COCO 1x with backbone and FPN from head network
# pre-training (configs/pixpro/pixpro_r50-fpn_8xb128.py, --with-neck).
# Settings: configs/benchmarks/README.md, "Notes per config".
_base_ = './mask-rcnn_r50-fpn_ms-1x_coco.py'

pretrained = 'work_dirs/pixpro_r50-fpn_neck.pth'
model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='neck.')))
