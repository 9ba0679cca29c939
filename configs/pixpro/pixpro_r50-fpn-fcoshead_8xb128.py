# Head network pre-training: FPN (C3-C5 in, P3-P7 out) plus one shared FCOS
# tower, as our FCOS transfer config has them; loss on P3-P7.
# Settings: configs/pixpro/README.md, "Notes per config".
_base_ = './pixpro_r50-fpn_8xb128.py'

model = dict(
    # C2-C5 in, as the base: the FPN starts at C3.
    fpn=dict(
        start_level=1,
        add_extra_convs='on_output',
        relu_before_extra_convs=True),
    towers=dict(
        type='ConvTower',
        in_channels=256,
        feat_channels=256,
        stacked_convs=4,
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True)),
    levels=(0, 1, 2, 3, 4),  # FPN outputs 0-4: P3-P7
    level_weights=(1., 1., 1., 1., 1.))  # normalised to sum 1
