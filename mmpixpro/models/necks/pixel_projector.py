"""Per-pixel projector (the "neck" of PixPro)."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS


@MODELS.register_module()
class PixelProjector(BaseModule):
    """An MLP applied at every pixel: 1x1 conv, norm, ReLU, 1x1 conv.

    ``linear1`` (in -> hid, with bias), ``bn1``, ReLU, ``linear2`` (hid -> out,
    with bias); no norm or activation at the output. Module names follow the
    authors' ``MLP2d`` so their checkpoints map one to one.

    Input: a tuple of (N, in_channels, H, W) maps (a backbone's outputs).
    Output: a tuple with each map projected to (N, out_channels, H, W).
    """

    def __init__(self,
                 in_channels: int = 2048,
                 hid_channels: int = 4096,
                 out_channels: int = 256,
                 norm_cfg: dict = dict(type='SyncBN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.linear1 = nn.Conv2d(in_channels, hid_channels, 1, bias=True)
        self.bn1 = build_norm_layer(norm_cfg, hid_channels)[1]
        self.relu1 = nn.ReLU(inplace=True)
        self.linear2 = nn.Conv2d(hid_channels, out_channels, 1, bias=True)

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in, H, W) -> (N, out, H, W)."""
        return self.linear2(self.relu1(self.bn1(self.linear1(x))))

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        return tuple(self.project(x) for x in inputs)
