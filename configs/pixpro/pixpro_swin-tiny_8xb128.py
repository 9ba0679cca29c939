# PixPro with mmpretrain's Swin-T (7x7 final grid at 224 px), 8 GPUs x 128
# images, fp16; AdamW and schedule of MoBY's Swin-T pre-training, the PixPro
# authors' own (docs/recipe.md, "Other backbones").
_base_ = [
    '../_base_/pixpro_other-backbone.py',
    '../_base_/schedules/adamw_coslr-100e.py',
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
model = dict(backbone=swin_tiny)

# MoBY (Swin-T): AdamW, lr 1e-3 per 512 images (2e-3 at 1024), betas (0.9,
# 0.999), eps 1e-8, weight decay 0.05 except on 1-D parameters and the
# position tables, gradient norm clipped at 5, 5 linear warm-up epochs from
# 5e-7 per 512, cosine to 5e-6 per 512, fp16; 100 epochs (MoBY's shorter
# schedule; 300 in its release).
optim_wrapper = dict(
    optimizer=dict(lr=2e-3),
    clip_grad=dict(max_norm=5.0),
    paramwise_cfg=dict(
        custom_keys={
            '.absolute_pos_embed': dict(decay_mult=0.),
            '.relative_position_bias_table': dict(decay_mult=0.)
        }))
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=5e-4),
    dict(_base_.param_scheduler[1], eta_min=1e-5)
]
