# The runtime of the main job's pre-training runs (PixPro and BYOL on
# generated scenes, one CPU): default_runtime.py with a fixed seed, no
# cudnn autotuning, a progress bar with ETA, the logger's lines (and the
# loss curve's points) every 20 steps, and one checkpoint kept, written
# every 300 iterations.
_base_ = './default_runtime.py'

env_cfg = dict(cudnn_benchmark=False)
randomness = dict(seed=0)
custom_hooks = [dict(type='FiniteLossHook'), dict(type='ProgressBarHook')]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(by_epoch=False, interval=300, max_keep_ckpts=1))
log_processor = dict(by_epoch=False)
