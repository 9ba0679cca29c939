"""Mixed precision without loss scaling (bf16), on any device."""
from contextlib import contextmanager
from typing import Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper

from mmpixpro.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward runs under ``torch.autocast`` on the
    model's device, with no loss scaling.

    For bf16, whose exponent range is fp32's, so gradients need no scaling.
    mmengine's ``AmpOptimWrapper`` always scales (a ``GradScaler`` unscale
    and inf check per step) and refuses to build without an accelerator;
    this one runs on the CPU as well (``torch.autocast('cpu')`` supports
    bf16 and, on recent torch, fp16). fp16 needs loss scaling: use
    ``AmpOptimWrapper`` for it on GPUs.

    Args:
        dtype: the autocast dtype, ``'bfloat16'`` (default) or
            ``'float16'`` (CPU only; refused on CUDA).
        loss_scale: must be None; accepted so that a config derived from an
            ``AmpOptimWrapper`` one can switch with ``loss_scale=None``.
        **kwargs: ``OptimWrapper``'s (``optimizer``, ``clip_grad``, ...).
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype] = 'bfloat16',
                 loss_scale: None = None,
                 **kwargs) -> None:
        if loss_scale is not None:
            raise ValueError(
                'AutocastOptimWrapper does not scale the loss: set '
                f'loss_scale=None (got {loss_scale!r}), or use '
                'AmpOptimWrapper for fp16 with loss scaling')
        super().__init__(**kwargs)
        if dtype not in ('bfloat16', 'float16', torch.bfloat16,
                         torch.float16):
            raise ValueError('AutocastOptimWrapper: dtype must be bfloat16 '
                             f'or float16, got {dtype!r}')
        self.cast_dtype = getattr(torch, dtype) if isinstance(
            dtype, str) else dtype

    @contextmanager
    def optim_context(self, model: nn.Module):
        device = next(model.parameters()).device.type
        if device == 'cuda' and self.cast_dtype == torch.float16:
            raise ValueError(
                'AutocastOptimWrapper does not scale the loss, which fp16 '
                'gradients need on a GPU: use AmpOptimWrapper for fp16, or '
                "dtype='bfloat16'")
        with super().optim_context(model), torch.autocast(
                device, dtype=self.cast_dtype):
            yield
