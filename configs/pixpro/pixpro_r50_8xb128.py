# The released 100-epoch recipe: ResNet-50, 8 GPUs x 128 images, SyncBN,
# LARS lr 4.0, fp16. Expects the ImageNet train folder at data/imagenet/train.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/pixpro_lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]
