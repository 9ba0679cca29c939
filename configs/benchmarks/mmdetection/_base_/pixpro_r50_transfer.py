# Our ResNet-50 transfer conventions as variables (configs take e.g.
# backbone={{_base_.transfer_backbone}}: mmengine refuses two bases setting
# `model`). Conventions: configs/benchmarks/README.md.
custom_imports = dict(imports=['mmpixpro.evaluation', 'mmpretrain.models'])
# Every transfer run checks that the pre-trained weights arrived.
custom_hooks = [dict(type='PretrainedWeightsCheckHook')]

# Backbone weights from tools/model_converters/extract_backbone_weights.py.
pretrained = 'work_dirs/pixpro_r50_backbone.pth'
# (Not `norm_cfg`: mmdet's C4 model bases set that name to their frozen BN.)
sync_bn = dict(type='SyncBN', requires_grad=True)

transfer_backbone = dict(
    style='pytorch',
    frozen_stages=-1,
    norm_cfg=sync_bn,
    norm_eval=False,
    init_cfg=dict(type='Pretrained', checkpoint=pretrained))
rgb_preprocessor = dict(
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=32)
rgb_mask_preprocessor = dict(rgb_preprocessor, pad_mask=True)
# The C4 models' res5 with an extra norm (detectron2's
# Res5ROIHeadsExtraNorm), from the same weights; mmpretrain.models
# registers ResLayerExtraNorm in mmdet's registry.
res5_extra_norm = dict(
    type='ResLayerExtraNorm',
    depth=50,
    style='pytorch',
    norm_cfg=sync_bn,
    norm_eval=False,
    init_cfg=dict(type='Pretrained', checkpoint=pretrained))
