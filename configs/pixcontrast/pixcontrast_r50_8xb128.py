# PixContrast (the PixPro paper's pixel-level contrastive task), ResNet-50,
# 100 epochs, with the released PixPro recipe's data, optimiser and schedule.
# Notes: configs/pixcontrast/README.md, "Notes per config".
_base_ = [
    '../_base_/models/pixcontrast_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/pixpro_lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]

model = dict(data_preprocessor={{_base_.data_preprocessor}})
