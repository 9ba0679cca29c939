# The main job's DenseCL since 2026-12-07: the 900-step scenes config's model,
# data and views, for 1800 steps in bf16 with channels_last weights, the
# data drawn by an infinite sampler. Notes: configs/densecl/README.md.
_base_ = [
    '../_base_/models/densecl_resnet18-w16.py',
    '../_base_/datasets/scenes_pixpro.py',
    '../_base_/schedules/lars_coslr-1800it-bf16.py',
    '../_base_/main_job_runtime_channels-last.py',
]

model = dict(
    # The scenes data base's half: the views arrive augmented (PIL path).
    data_preprocessor={{_base_.data_preprocessor}},
    backbone={{_base_.resnet18_w16_os16}})
# mmengine's iteration loop sleeps 2 s at every pass over the 2000 scenes
# (62 steps) with an epoch sampler; this one never ends a pass.
train_dataloader = dict(sampler=dict(type='InfiniteSampler'))
