# Head network pre-training, backbone + FPN: the 100-epoch recipe
# (pixpro_r50_8xb128.py: views, LARS, schedule, SyncBN, momentum) with
# mmdet's FPN between the ResNet-50 and the pixel projector, laid out as the
# FPN of our Mask R-CNN R50-FPN transfer config (C2-C5 in, 256 channels,
# P2-P6 out, SyncBN), so that its weights load there one to one:
# configs/benchmarks/mmdetection/coco/mask-rcnn_r50-fpn-pixpro-neck_ms-1x_coco.py
# after `extract_backbone_weights.py --with-neck`. Needs mmdet (the transfer
# extra) for `mmdet.FPN`.
#
# Loss on P2-P5 (56x56 ... 7x7 at 224 px), equal weights: every FPN
# parameter feeds one of them (P2 is the only output of lateral_convs.0 and
# fpn_convs.0), while P6 is a parameter-free max-pool of P5. One projector
# (now 256 -> 4096 -> 256) and one PPM serve all levels; the level losses
# are averaged, so the optimum stays -4.
# P2 has 3136 pixels: the PPM and the loss run 1024 rows at a time
# (the head's chunk_size, which its PPM takes too), with memory linear in
# pixels instead of quadratic.
_base_ = './pixpro_r50_8xb128.py'

model = dict(
    backbone=dict(out_indices=(0, 1, 2, 3)),  # C2-C5
    fpn=dict(
        type='mmdet.FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        num_outs=5,
        norm_cfg=dict(type='SyncBN')),
    levels=(0, 1, 2, 3),  # FPN outputs 0-3: P2-P5
    level_weights=(1., 1., 1., 1.),  # normalised to sum 1
    neck=dict(in_channels=256),
    head=dict(chunk_size=1024))
