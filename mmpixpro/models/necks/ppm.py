"""Pixel propagation module (section 1 of the reference recipe)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS
from .pixel_projector import PixelProjector


@MODELS.register_module()
class PPM(BaseModule):
    """``y_i = sum_j max(cos(x_i, x_j), clamp_min)^gamma * g(x_j) / |g(x_j)|``.

    The sum runs over all H*W pixels of the same view (self included) and is
    not divided by the sum of similarities. ``g`` is the value transform:
    0 layers = identity, 1 = a 1x1 conv (the default), 2 = 1x1 conv, norm,
    ReLU, 1x1 conv (plain BN by default, as in the released code, which
    did not sync it). Gradient flows through both the similarity and ``g``.
    The output is not normalised; the loss compares directions.

    Input and output: (N, C, H, W).
    """

    def __init__(self,
                 channels: int = 256,
                 gamma: float = 2.0,
                 clamp_min: float = 0.0,
                 num_transform_layers: int = 1,
                 norm_cfg: dict = dict(type='BN'),
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
        return self.value_transform(x)

    def similarity(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, HW, HW) propagation weights ``s(x_i, x_j)``."""
        x = F.normalize(x.flatten(2), dim=1)
        sim = torch.bmm(x.transpose(1, 2), x).clamp(min=self.clamp_min)
        if self.gamma < 1:
            sim = sim + 1e-6  # a fractional power has no gradient at 0
        return sim.pow(self.gamma)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        value = F.normalize(self.transform(x).flatten(2), dim=1)  # (N, C, HW)
        y = torch.bmm(value, self.similarity(x).transpose(1, 2))
        return y.view(n, c, h, w)
