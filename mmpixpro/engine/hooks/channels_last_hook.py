"""Put any model's 4-D weights in channels_last before training."""
import torch
from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's 4-D parameters and buffers to
    ``torch.channels_last`` before the first training iteration.

    PixPro has this as its own ``channels_last`` argument; this hook gives
    the same layout to any model, such as mmpretrain's BYOL and DenseCL, so
    that runs compared with each other share it. A convolution whose weight
    is channels_last runs in that layout even when its input is not (oneDNN
    on CPUs, cuDNN on GPUs), so the views need no conversion. The
    conversion keeps every parameter object (only its storage changes), so
    the optimizer built before still holds them; a checkpoint loaded
    afterwards copies into them in place and keeps the layout.

    Only the layout changes: values are equal, and a step differs from the
    contiguous one by float rounding only (the convolution kernels differ).
    It pays with oneDNN's bf16 kernels on CPUs with AMX and with tensor
    cores on GPUs (``docs/speed.md``); measure before using it elsewhere.
    The hook runs after the runner wrapped the model: a DDP wrapper has
    built its gradient buckets in the old layout by then, so for
    distributed runs prefer a model's own option (PixPro's
    ``channels_last``), which converts before wrapping.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        runner.model.to(memory_format=torch.channels_last)
