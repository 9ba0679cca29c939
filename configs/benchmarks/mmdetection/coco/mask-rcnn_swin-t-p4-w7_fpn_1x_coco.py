# Mask R-CNN Swin-T FPN on COCO, 1x: mmdet's Swin-T config, from the
# backbone of configs/pixpro/pixpro_swin-tiny_8xb128.py
# (configs/benchmarks/README.md).
_base_ = 'mmdet::swin/mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py'
custom_imports = dict(
    imports=['mmpretrain.models', 'mmpixpro.evaluation'],
    allow_failed_imports=False)

# Backbone weights from tools/model_converters/extract_backbone_weights.py.
# mmdet's own SwinTransformer loads only 'backbone.'-prefixed keys, so the
# backbone is mmpretrain's Swin-T (the same blocks and names, loaded by
# mmengine's Pretrained), as mmdet's ConvNeXt configs take mmpretrain's
# ConvNeXt; mmdet's values otherwise (drop path 0.2, all four outputs).
pretrained = 'work_dirs/pixpro_swin-tiny_backbone.pth'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='tiny',
        img_size=224,
        window_size=7,
        drop_path_rate=0.2,
        out_indices=(0, 1, 2, 3),
        pad_small_map=True,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)))
# Every transfer run checks that the pre-trained weights arrived.
custom_hooks = [dict(type='PretrainedWeightsCheckHook')]
