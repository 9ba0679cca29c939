# FCN on Cityscapes (fine train -> val), mmseg's 769x769 recipe with the
# pre-trained plain-stem ResNet-50, output stride 8, SyncBN.
# Settings: configs/benchmarks/README.md, "Notes per config".
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py',
    'mmseg::_base_/datasets/cityscapes_769x769.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_40k.py',
]
custom_imports = dict(imports=['mmpixpro.evaluation'])

# Backbone weights from tools/model_converters/extract_backbone_weights.py.
pretrained = 'work_dirs/pixpro_r50_backbone.pth'
crop_size = (769, 769)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,
    backbone=dict(
        type='ResNet',
        depth=50,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    decode_head=dict(align_corners=True),
    auxiliary_head=dict(align_corners=True),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(513, 513)))
custom_hooks = [dict(type='PretrainedWeightsCheckHook')]
