# The narrow ResNet-18 of the configs that train on one CPU: ResNet-18 with
# 16 base channels (C5 has 128), plain BN, C5 only, zero-initialised
# residual branches as in the recipe. Variables, not a `model`: mmengine
# refuses two bases that both set `model`, so a config takes the backbone
# next to its algorithm's model with `backbone={{_base_.resnet18_w16}}`.
norm_cfg = dict(type='BN')
resnet18_w16 = dict(
    type='ResNet',
    depth=18,
    stem_channels=16,
    base_channels=16,
    out_indices=(3, ),  # C5 only
    norm_cfg=norm_cfg,
    zero_init_residual=True)
# Output stride 16 (last stage dilated): 112 px views give a 7x7 C5 grid,
# the paper's grid at 224 px.
resnet18_w16_os16 = dict(
    resnet18_w16, strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2))
