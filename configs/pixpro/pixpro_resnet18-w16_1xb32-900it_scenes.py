# The README's main job: PixPro on generated scenes, on one CPU in minutes.
# The recipe of pixpro_r50_8xb128.py scaled down: the narrow ResNet-18 (16
# base channels) of _base_/models/pixpro_resnet18-w16.py with output stride
# 16 (last stage dilated), so 112 px views give the paper's 7x7 C5 grid;
# projector 128 -> 256 -> 64; PPM, loss, T, momentum and the two-view
# pipeline as in the recipe; 900 iterations of 32 pairs.
_base_ = [
    '../_base_/models/pixpro_resnet18-w16.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/main_job_runtime.py',
]

model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.resnet18_w16_os16}})
