# main_job_runtime.py with every 4-D weight in channels_last before the first
# step (ChannelsLastHook, for any model: mmpretrain's BYOL and DenseCL as
# well as PixPro), the layout oneDNN's bf16 kernels run fastest in.
_base_ = './main_job_runtime.py'

custom_hooks = [
    dict(type='FiniteLossHook'),
    dict(type='ProgressBarHook'),
    dict(type='ChannelsLastHook')
]
