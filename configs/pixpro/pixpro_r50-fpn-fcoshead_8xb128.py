# Head network pre-training, backbone + FPN + FCOS towers: the FPN recipe
# (pixpro_r50-fpn_8xb128.py: the 100-epoch recipe with C2-C5 into an FPN
# of 256 channels and SyncBN, one 256 -> 4096 -> 256 projector and one PPM
# for all levels, 1024-row chunks) with the FPN of our FCOS transfer config
# (C3-C5 in, P3-P7 out: P6 and P7 from stride-2 convs on P5, ReLU before
# the second) and one shared convolution tower of FCOS's head (4 x 3x3
# conv 256, GN 32 groups, ReLU), applied to every level.
# `extract_backbone_weights.py --with-neck` writes the tower into both of
# FCOS's towers (cls_convs and reg_convs) for
# configs/benchmarks/mmdetection/coco/fcos_r50-fpn_1x_coco.py. Needs mmdet
# (the transfer extra) for `mmdet.FPN`.
#
# Loss on all five levels P3-P7 (28x28, 14x14, 7x7, 4x4, 2x2 at 224 px),
# the levels FCOS predicts on; each has parameters of its own (P6, P7: the
# extra convs), equal weights; the level losses are averaged, so the
# optimum stays -4.
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
