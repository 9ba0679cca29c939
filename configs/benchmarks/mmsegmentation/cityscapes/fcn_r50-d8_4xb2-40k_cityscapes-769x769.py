# FCN on Cityscapes (fine train -> val), mmseg's 769x769 recipe with the
# pre-trained ResNet-50:
# - a plain ResNet-50 stem (type ResNet): mmseg's default ResNetV1c has a
#   deep 3-conv stem that pre-trained torchvision-layout weights do not fill;
# - dilations (1, 1, 2, 4), strides (1, 2, 1, 1) (output stride 8), SyncBN,
#   BN in training mode;
# - 769x769 crops, 40k iterations of 4 GPUs x 2 images, SGD lr 0.01 poly;
#   sliding-window test (769, stride 513); mIoU.
# On 8 GPUs keep the total batch of 8 with train_dataloader.batch_size=1.
# Set the weights with tools/benchmarks/mmsegmentation/dist_train.sh CONFIG
# PRETRAIN GPUS, or --cfg-options model.backbone.init_cfg.checkpoint=...
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
