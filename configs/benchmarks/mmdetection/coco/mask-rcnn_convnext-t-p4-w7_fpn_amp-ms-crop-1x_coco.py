# Mask R-CNN ConvNeXt-T FPN on COCO, 1x: mmdet's ConvNeXt-T config at 12
# epochs, from the backbone of configs/pixpro/pixpro_convnext-tiny_8xb128.py
# (configs/benchmarks/README.md).
_base_ = ('mmdet::convnext/'
          'mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-3x_coco.py')
custom_imports = dict(
    imports=['mmpretrain.models', 'mmpixpro.evaluation'],
    allow_failed_imports=False)

# Backbone weights from tools/model_converters/extract_backbone_weights.py:
# the file's keys are the backbone's own (no 'backbone.' prefix), and its
# blocks have no layer scale, as pre-trained.
pretrained = 'work_dirs/pixpro_convnext-tiny_backbone.pth'
model = dict(
    backbone=dict(
        layer_scale_init_value=0.,
        init_cfg=dict(_delete_=True, type='Pretrained',
                      checkpoint=pretrained)))

# 1x: 12 epochs, lr steps at 8 and 11 (mmdet's 3x config: 36, 27 and 33).
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[8, 11],
        gamma=0.1)
]
# Every transfer run checks that the pre-trained weights arrived.
custom_hooks = [dict(type='PretrainedWeightsCheckHook')]
