# The dense contrastive peer of the README's main job: mmpretrain's DenseCL
# (densecl_resnet50_8xb32-coslr-200e_in1k.py) with exactly the backbone,
# data, views, batch, steps, optimiser, schedule and runtime of
# configs/pixpro/pixpro_resnet18-w16_1xb32-900it_scenes.py (the same
# _base_ files). Only the method differs. Its loss settings are mmpretrain's:
# temperature 0.2, loss_lambda 0.5 (single and dense loss weighted equally),
# key-encoder momentum 0.999 (fixed, MoCo style); the neck is scaled like
# PixPro's and BYOL's projectors (128 -> 256 -> 64, feat_dim 64).
#
# The one scaled setting: the queue. mmpretrain's 65536 negatives are 5.1 %
# of ImageNet's 1,281,167 images; the same fraction of the 2000 generated
# scenes is 102, rounded down to a multiple of the batch (the model
# asserts it): 96. A 65536 queue would hold every scene's stale keys about
# 33 times over, as negatives of the scene itself.
_base_ = [
    '../_base_/models/resnet18-w16.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/main_job_runtime.py',
]

queue_len = 96
model = dict(
    type='mmpretrain.DenseCL',
    queue_len=queue_len,
    feat_dim=64,
    momentum=0.999,
    loss_lambda=0.5,
    # The views arrive augmented and in RGB (scenes_pixpro.py is the PIL
    # path, LoadRGBImageFromFile): normalisation only, as for BYOL.
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone={{_base_.resnet18_w16_os16}},
    neck=dict(
        type='DenseCLNeck',
        in_channels=128,
        hid_channels=256,
        out_channels=64,
        num_grid=None),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.2))
