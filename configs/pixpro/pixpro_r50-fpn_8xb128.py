# Head network pre-training: the 100-epoch recipe with mmdet's FPN (C2-C5 in,
# P2-P6 out, 256 channels) between ResNet-50 and projector; loss on P2-P5.
# Settings: configs/pixpro/README.md, "Notes per config".
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
