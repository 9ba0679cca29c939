# PixPro on mmpretrain's VisionTransformer (DeiT-Tiny widths, 32 px patches:
# 7x7 patch tokens at 224 px) as a feature map: the small config with the
# backbone swapped; tested on CPU, not measured (docs/another_backbone.md).
_base_ = './pixpro_resnet18-w16_1xb16-4e.py'

vit_tiny = dict(
    type='VisionTransformer',
    arch='deit-tiny',
    img_size=224,
    patch_size=32,
    out_type='featmap')  # (N, 192, 7, 7): the patch tokens, cls dropped
# The small config's projector (192 -> 256 -> 64) on the 192 channels.
projector = dict(_base_.model.neck, in_channels=192)
model = dict(
    backbone=dict(_delete_=True, **vit_tiny),
    neck=projector,
    instance_neck=projector)
