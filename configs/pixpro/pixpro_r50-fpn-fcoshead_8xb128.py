# Head network pre-training, backbone + FPN + FCOS towers: the 100-epoch
# recipe (pixpro_r50_8xb128.py: views, LARS, schedule, SyncBN, momentum)
# with, between the ResNet-50 and the pixel projector, the FPN of our FCOS
# transfer config (C3-C5 in, P3-P7 out: P6 and P7 from stride-2 convs on
# P5, ReLU before the second, 256 channels, SyncBN) and one shared
# convolution tower of FCOS's head (4 x 3x3 conv 256, GN 32 groups, ReLU),
# applied to every level. `extract_backbone_weights.py --with-neck` writes
# the tower into both of FCOS's towers (cls_convs and reg_convs) for
# configs/benchmarks/mmdetection/coco/fcos_r50-fpn_1x_coco.py. Needs mmdet
# (the transfer extra) for `mmdet.FPN`.
#
# Loss on all five levels P3-P7 (28x28, 14x14, 7x7, 4x4, 2x2 at 224 px),
# the levels FCOS predicts on; each has parameters of its own (P6, P7: the
# extra convs), equal weights. One projector (now 256 -> 4096 -> 256) and
# one PPM serve all levels; the level losses are averaged, so the optimum
# stays -4. The PPM and the loss run 1024 rows at a time (chunk_size).
_base_ = './pixpro_r50_8xb128.py'

norm_cfg = dict(type='SyncBN')
chunk_size = 1024
model = dict(
    backbone=dict(out_indices=(0, 1, 2, 3)),  # C2-C5; the FPN starts at C3
    fpn=dict(
        type='mmdet.FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        start_level=1,
        add_extra_convs='on_output',
        num_outs=5,
        relu_before_extra_convs=True,
        norm_cfg=norm_cfg),
    towers=dict(
        type='ConvTower',
        in_channels=256,
        feat_channels=256,
        stacked_convs=4,
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True)),
    levels=(0, 1, 2, 3, 4),  # FPN outputs 0-4: P3-P7
    level_weights=(1., 1., 1., 1., 1.),  # normalised to sum 1
    neck=dict(in_channels=256),
    head=dict(chunk_size=chunk_size, predictor=dict(chunk_size=chunk_size)))
