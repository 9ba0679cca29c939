# PixPro with mmpretrain's ConvNeXt-T (7x7 final grid at 224 px), 8 GPUs x
# 128 images, fp16; AdamW and schedule of VICRegL's ConvNeXt pre-training
# (docs/recipe.md, "Other backbones"; keys: docs/another_backbone.md).
_base_ = [
    '../_base_/pixpro_other-backbone.py',
    '../_base_/schedules/adamw_coslr-100e.py',
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
model = dict(
    backbone=convnext_tiny,
    # NHWC weights and views: the depthwise and patch convolutions run on
    # the tensor cores in that layout (docs/speed.md).
    channels_last=True)

# VICRegL (ConvNeXt): AdamW, lr 0.00075 per 256 images (3e-3 at 1024),
# weight decay 0.05 except on 1-D parameters, 10 linear warm-up epochs from
# 0, cosine to 0.001 x lr, 100 epochs, fp16.
optim_wrapper = dict(optimizer=dict(lr=3e-3))
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=1e-4, end=10),
    dict(_base_.param_scheduler[1], T_max=90, eta_min=3e-6, begin=10)
]
