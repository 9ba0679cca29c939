default_scope = 'mmpixpro'
runner_type = 'PixProRunner'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # mmengine's CheckpointHook, but atomic: the new checkpoint is complete
    # on disk before last_checkpoint points at it and old ones are pruned.
    checkpoint=dict(
        type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
custom_hooks = [dict(type='FiniteLossHook')]

env_cfg = dict(
    cudnn_benchmark=True,  # fixed input size, as in the released code
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_processor = dict(window_size=10)
log_level = 'INFO'
load_from = None
resume = False
# Checkpoints (load_from, resume, Pretrained init_cfgs) are read with
# torch's weights_only unpickler; True reads files that need more with the
# full unpickler, which runs any code in them: only for files you trust.
unsafe_load = False
randomness = dict(seed=None, deterministic=False)
