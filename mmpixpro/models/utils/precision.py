"""Where PixPro leaves mixed precision: similarities, powers and sums."""
from contextlib import contextmanager

import torch


@contextmanager
def full_precision(x: torch.Tensor):
    """Autocast off on ``x``'s device; yields the dtype to compute in.

    Cast inputs with ``.to(dtype)`` inside the block.

    Args:
        x (torch.Tensor): A tensor of the computation (its device and
            dtype).

    Yields:
        torch.dtype: fp32, or ``x``'s dtype if it is wider (fp64).
    """
    with torch.autocast(x.device.type, enabled=False):
        yield torch.promote_types(x.dtype, torch.float32)
