"""Pixel propagation module (docs/recipe.md, "Model")."""
import numbers
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch.utils.checkpoint import checkpoint

from mmpixpro.registry import MODELS
from ..utils.precision import full_precision
from .pixel_projector import PixelProjector, pointwise


def check_chunk_size(owner: str, chunk_size) -> Optional[int]:
    """``chunk_size`` as an int, or None; anything else is a ValueError."""
    if chunk_size is None:
        return None
    if (isinstance(chunk_size, numbers.Integral)
            and not isinstance(chunk_size, bool) and chunk_size > 0):
        return int(chunk_size)
    raise ValueError(f'{owner}: chunk_size must be a positive int (rows per '
                     f'block) or None (no chunking), got {chunk_size!r}')


@MODELS.register_module()
class PPM(BaseModule):
    """``y_i = sum_j max(cos(x_i, x_j), clamp_min)^gamma * g(x_j) / |g(x_j)|``.

    The sum runs over all H*W pixels of the same view (self included) and is
    not divided by the sum of similarities. ``g`` is the value transform:
    0 layers = identity, 1 = a 1x1 conv (the default), 2 = 1x1 conv, norm,
    ReLU, 1x1 conv (plain BN by default, as in the released code, which
    did not sync it). Gradient flows through both the similarity and ``g``.
    The output is not normalised; the loss compares directions.

    ``chunk_size`` (rows): None builds the (N, HW, HW) similarity at once.
    An int propagates ``chunk_size`` query pixels at a time, each block under
    activation checkpointing when gradients are on, so nothing quadratic in
    HW is kept for backward: memory grows linearly with HW, for the cost of
    recomputing each block's similarity in backward. ``g`` runs once on the
    whole map, outside the blocks (its BN sees the batch once). Same output
    and gradients as the direct form, to round-off.

    Precision: ``g`` runs in the autocast dtype like any convolution, but
    the normalisations, the similarities, their power and the propagation
    sums run in fp32 (or the input's dtype if wider) with autocast off,
    under fp16 and bf16 alike: a bf16 cosine has about 3 significant digits
    and ``s^gamma`` would amplify its error. These are a few (N, HW, HW)
    matrix products, small next to the backbone.

    Input: (N, C, H, W) in any memory format; output: (N, C, H, W), fp32 or
    wider.
    """

    def __init__(self,
                 channels: int = 256,
                 gamma: float = 2.0,
                 clamp_min: float = 0.0,
                 num_transform_layers: int = 1,
                 norm_cfg: dict = dict(type='BN'),
                 chunk_size: Optional[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        if not gamma > 0:
            raise ValueError(f'PPM: gamma must be > 0, got {gamma!r}')
        if num_transform_layers not in (0, 1, 2):
            raise ValueError('PPM: num_transform_layers must be 0, 1 or 2, '
                             f'got {num_transform_layers!r}')
        self.gamma = float(gamma)
        self.clamp_min = float(clamp_min)
        self.num_transform_layers = num_transform_layers
        self.chunk_size = check_chunk_size('PPM', chunk_size)
        if num_transform_layers == 0:
            self.value_transform = nn.Identity()
        elif num_transform_layers == 1:
            self.value_transform = nn.Conv2d(channels, channels, 1, bias=True)
        else:
            self.value_transform = PixelProjector(
                channels, channels, channels, norm_cfg=norm_cfg)

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        if isinstance(self.value_transform, PixelProjector):
            return self.value_transform.project(x)
        if isinstance(self.value_transform, nn.Conv2d):
            return pointwise(self.value_transform, x)
        return self.value_transform(x)

    def _weights(self, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
        """Unit (N, C, R) and (N, C, HW) pixels -> (N, R, HW) weights."""
        sim = torch.bmm(rows.transpose(1, 2), cols).clamp(min=self.clamp_min)
        if self.gamma < 1:
            sim = sim + 1e-6  # a fractional power has no gradient at 0
        return sim.pow(self.gamma)

    def similarity(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, HW, HW) propagation weights ``s(x_i, x_j)``."""
        with full_precision(x) as dtype:
            x = F.normalize(x.flatten(2).to(dtype), dim=1)
            return self._weights(x, x)

    def _propagate_rows(self, x: torch.Tensor, value: torch.Tensor,
                        start: int, stop: int) -> torch.Tensor:
        """(N, C, stop - start): ``y`` of query pixels ``start:stop``."""
        weights = self._weights(x[:, :, start:stop], x)
        return torch.bmm(value, weights.transpose(1, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        value = self.transform(x)
        with full_precision(x) as dtype:
            value = F.normalize(value.flatten(2).to(dtype), dim=1)  # N, C, HW
            x = F.normalize(x.flatten(2).to(dtype), dim=1)
            if self.chunk_size is None:
                y = torch.bmm(value, self._weights(x, x).transpose(1, 2))
            else:
                y = self._propagate_in_chunks(x, value)
        return y.view(n, c, h, w)

    def _propagate_in_chunks(self, x: torch.Tensor,
                             value: torch.Tensor) -> torch.Tensor:
        """Unit (N, C, HW) pixels and values -> (N, C, HW) ``y``, a block
        of ``chunk_size`` query pixels at a time."""
        h_w = x.shape[2]
        recompute = torch.is_grad_enabled() and (x.requires_grad
                                                 or value.requires_grad)
        blocks = []
        for start in range(0, h_w, self.chunk_size):
            stop = min(start + self.chunk_size, h_w)
            if recompute:
                blocks.append(
                    checkpoint(self._propagate_rows, x, value, start, stop,
                               use_reentrant=False, preserve_rng_state=False))
            else:
                blocks.append(self._propagate_rows(x, value, start, stop))
        return torch.cat(blocks, dim=2)
