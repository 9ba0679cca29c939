# PixPro with mmpretrain's Swin-T (7x7 final grid at 224 px), 8 GPUs x 128
# images, fp16; AdamW and schedule of MoBY's Swin-T pre-training, the PixPro
# authors' own (docs/recipe.md, "Other backbones").
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/default_runtime.py',
    '../_base_/ddp_bucket_view.py',
]

# Patch 4, three merges: stride 32, so 224 px views give 7x7 (one window).
# No drop path: MoBY drops 0.2 in the online encoder and 0 in the target,
# and PixPro's target is a copy of the online module (docs/recipe.md).
swin_tiny = dict(
    type='SwinTransformer',
    arch='tiny',
    img_size=224,
    window_size=7,
    out_indices=(3, ),
    drop_path_rate=0.)
projector = dict(
    type='PixelProjector',
    in_channels=768,
    hid_channels=4096,
    out_channels=256,
    norm_cfg=dict(type='SyncBN'))
model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    backbone=dict(_delete_=True, **swin_tiny),
    neck=projector,
    instance_neck=projector)

# MoBY (Swin-T): AdamW, lr 1e-3 per 512 images (2e-3 at 1024), betas (0.9,
# 0.999), eps 1e-8, weight decay 0.05 except on 1-D parameters and the
# position tables, gradient norm clipped at 5, 5 linear warm-up epochs from
# 5e-7 per 512, cosine to 5e-6 per 512, fp16; 100 epochs (MoBY's shorter
# schedule; 300 in its release). torch's AdamW takes its multi-tensor
# (foreach) update on GPUs by itself.
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(
        type='AdamW', lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.05),
    clip_grad=dict(max_norm=5.0),
    paramwise_cfg=dict(
        flat_decay_mult=0.,
        custom_keys={
            '.absolute_pos_embed': dict(decay_mult=0.),
            '.relative_position_bias_table': dict(decay_mult=0.)
        }))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=5e-4,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=95,
        eta_min=1e-5,
        by_epoch=True,
        begin=5,
        end=100,
        convert_to_iter_based=True)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
auto_scale_lr = dict(base_batch_size=1024, enable=False, rule='linear')
