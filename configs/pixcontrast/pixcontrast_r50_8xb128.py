# PixContrast, the pixel-level contrastive pretext task of the PixPro paper
# ("Propagate Yourself", CVPR 2021): ResNet-50, 100 epochs, with the data,
# optimiser and schedule of the released PixPro recipe (8 GPUs x 128 images,
# SyncBN, LARS lr 4.0, fp16); tau 0.3, T 0.7. The authors released no code
# for PixContrast, so this follows the paper's definition, not a reference
# implementation. Expects the ImageNet train folder at data/imagenet/train.
_base_ = [
    '../_base_/models/pixcontrast_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/pixpro_lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]

model = dict(data_preprocessor={{_base_.data_preprocessor}})
