# The README's main job: PixPro on 128 px generated scenes, one CPU, 900
# iterations of 32 pairs (112 px views, C5 7x7 at output stride 16).
# Notes: configs/pixpro/README.md, "Notes per config".
_base_ = [
    '../_base_/models/pixpro_resnet18-w16.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/main_job_runtime.py',
]

model = dict(
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.resnet18_w16_os16}})
