# PixPro with mmpretrain's ConvNeXt-T (7x7 final grid at 224 px), 8 GPUs x
# 128 images, fp16; AdamW and schedule of VICRegL's ConvNeXt pre-training
# (docs/recipe.md, "Other backbones"; keys: docs/another_backbone.md).
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/default_runtime.py',
    '../_base_/ddp_bucket_view.py',
]

# Stride 32: 224 px views give 7x7. Layer scale off and drop path 0.1 as
# VICRegL pre-trains it (the transfer configs build the same blocks).
convnext_tiny = dict(
    type='ConvNeXt',
    arch='tiny',
    out_indices=(3, ),
    drop_path_rate=0.1,
    layer_scale_init_value=0.,
    gap_before_final_norm=False)
projector = dict(
    type='PixelProjector',
    in_channels=768,
    hid_channels=4096,
    out_channels=256,
    norm_cfg=dict(type='SyncBN'))
model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(_delete_=True, **convnext_tiny),
    neck=projector,
    instance_neck=projector,
    # NHWC weights and views: the depthwise and patch convolutions run on
    # the tensor cores in that layout (docs/speed.md).
    channels_last=True)

# VICRegL (ConvNeXt): AdamW, lr 0.00075 per 256 images (3e-3 at 1024),
# weight decay 0.05 except on 1-D parameters, 10 linear warm-up epochs from
# 0, cosine to 0.001 x lr, 100 epochs, fp16. torch's AdamW takes its
# multi-tensor (foreach) update on GPUs by itself.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(
        type='AdamW', lr=3e-3, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.05),
    paramwise_cfg=dict(flat_decay_mult=0.))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=10,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=90,
        eta_min=3e-6,
        by_epoch=True,
        begin=10,
        end=100,
        convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
auto_scale_lr = dict(base_batch_size=1024, enable=False, rule='linear')
