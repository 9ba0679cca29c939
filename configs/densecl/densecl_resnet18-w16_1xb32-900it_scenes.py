# The main job's dense contrastive peer until 2026-12-07: mmpretrain's DenseCL
# with the PixPro scenes config's backbone, data, views, batch, steps,
# optimiser and schedule; only the queue is scaled (96). Why each value:
# configs/densecl/README.md.
_base_ = [
    '../_base_/models/densecl_resnet18-w16.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-900it.py',
    '../_base_/main_job_runtime.py',
]

model = dict(
    # The scenes data base's half: the views arrive augmented (PIL path).
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.resnet18_w16_os16}})
