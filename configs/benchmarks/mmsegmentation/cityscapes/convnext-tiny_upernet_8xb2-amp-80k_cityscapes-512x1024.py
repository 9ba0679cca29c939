# UperNet ConvNeXt-T on Cityscapes: mmseg's ConvNeXt-T UperNet config with
# Cityscapes data, from the backbone of
# configs/pixpro/pixpro_convnext-tiny_8xb128.py (configs/benchmarks/README.md).
_base_ = [
    'mmseg::convnext/'
    'convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py',
    '../_base_/cityscapes_upernet_80k.py'
]
custom_imports = dict(
    imports=['mmpretrain.models', 'mmpixpro.evaluation'],
    allow_failed_imports=False)

# Backbone weights from tools/model_converters/extract_backbone_weights.py:
# the backbone's own keys (no 'backbone.' prefix), blocks without layer
# scale, as pre-trained.
pretrained = 'work_dirs/pixpro_convnext-tiny_backbone.pth'
# Cityscapes fine train -> val instead of ADE20K, for 80k iterations.
data_root = {{_base_.cityscapes_data_root}}
crop_size = {{_base_.cityscapes_crop_size}}
train_pipeline = {{_base_.cityscapes_train_pipeline}}
test_pipeline = {{_base_.cityscapes_test_pipeline}}
train_dataloader = dict(dataset={{_base_.cityscapes_train}})
val_dataloader = dict(dataset={{_base_.cityscapes_val}})
test_dataloader = val_dataloader
max_iters = {{_base_.cityscapes_max_iters}}
train_cfg = {{_base_.cityscapes_train_cfg}}
param_scheduler = {{_base_.cityscapes_param_scheduler}}
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        layer_scale_init_value=0.,
        init_cfg=dict(_delete_=True, type='Pretrained',
                      checkpoint=pretrained)),
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19),
    test_cfg=dict(_delete_=True, mode='whole'))
