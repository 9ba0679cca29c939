"""Pixel propagation module (docs/recipe.md, "Model")."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS
from ..utils.chunking import check_chunk_size, map_row_blocks
from ..utils.precision import full_precision
from .pixel_projector import PixelProjector, PointwiseConv2d


@MODELS.register_module()
class PPM(BaseModule):
    """``y_i = sum_j max(cos(x_i, x_j), clamp_min)^gamma * g(x_j) / |g(x_j)|``.

    The sum runs over all H*W pixels of the same view (self included) and is
    not divided by the sum of similarities; gradient flows through both the
    similarity and the value transform ``g``. The output is not normalised.
    See docs/recipe.md ("Model").

    ``g`` runs in the autocast dtype like any convolution, once on the whole
    map. The normalisations, similarities, their power and the propagation
    sums run in fp32 (or the input's dtype if wider) with autocast off: a
    bf16 cosine has about 3 significant digits and ``s^gamma`` would
    amplify its error. Input: (N, C, H, W) in any memory format; output:
    (N, C, H, W), fp32 or wider.

    Args:
        channels (int): Channels of the input and output. Defaults to 256.
        gamma (float): The sharpness exponent, > 0. Defaults to 2.0.
        clamp_min (float): Similarities below it are raised to it before the
            power. Defaults to 0.0.
        num_transform_layers (int): ``g``: 0 is the identity, 1 a 1x1 conv,
            2 a 1x1 conv, norm, ReLU, 1x1 conv. Defaults to 1.
        norm_cfg (dict): Norm of the 2-layer ``g``; plain BN, as the
            released code did not sync it. Defaults to ``dict(type='BN')``.
        chunk_size (int, optional): Query pixels per block: each block's
            similarities are recomputed in backward (activation
            checkpointing), so memory is linear in H*W. None builds the
            (N, HW, HW) similarity at once. Same output and gradients to
            round-off. Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def __init__(self,
                 channels: int = 256,
                 gamma: float = 2.0,
                 clamp_min: float = 0.0,
                 num_transform_layers: int = 1,
                 norm_cfg: dict = dict(type='BN'),
                 chunk_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
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
            self.value_transform = PointwiseConv2d(channels, channels)
        else:
            self.value_transform = PixelProjector(
                channels, channels, channels, norm_cfg=norm_cfg)

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

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        value = self.value_transform(x)
        with full_precision(x) as dtype:
            value = F.normalize(value.flatten(2).to(dtype), dim=1)  # N, C, HW
            x = F.normalize(x.flatten(2).to(dtype), dim=1)
            if self.chunk_size is None:
                y = torch.bmm(value, self._weights(x, x).transpose(1, 2))
            else:
                y = self._propagate_in_blocks(x, value)
        return y.view(n, c, h, w)

    def _propagate_in_blocks(self, x: torch.Tensor,
                             value: torch.Tensor) -> torch.Tensor:
        """Unit (N, C, HW) pixels and values -> (N, C, HW) ``y``, a block
        of ``chunk_size`` query pixels at a time."""

        def block(start, stop):
            weights = self._weights(x[:, :, start:stop], x)
            return torch.bmm(value, weights.transpose(1, 2))

        recompute = torch.is_grad_enabled() and (x.requires_grad
                                                 or value.requires_grad)
        return torch.cat(
            map_row_blocks(block, x.shape[2], self.chunk_size, recompute),
            dim=2)
