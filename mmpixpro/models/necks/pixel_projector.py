"""Per-pixel projector (the "neck" of PixPro)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS


class PointwiseConv2d(nn.Conv2d):
    """A 1x1, stride-1, ungrouped ``nn.Conv2d`` computed as one matrix
    product over channels (``F.linear`` on the NHWC view of the input).

    Same parameters (``weight`` (out, in, 1, 1), ``bias``), values and
    gradients as the convolution to round-off; on the CPU 2 to 3x faster
    than oneDNN's 1x1 convolution at PixPro's shapes (docs/speed.md). Input
    (N, in, H, W) in any memory format; output (N, out, H, W) in
    channels-last layout.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        bias (bool): Whether to add a bias. Defaults to True.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 bias: bool = True) -> None:
        super().__init__(in_channels, out_channels, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(x.permute(0, 2, 3, 1), self.weight.flatten(1), self.bias)
        return y.permute(0, 3, 1, 2)


@MODELS.register_module()
class PixelProjector(BaseModule):
    """An MLP applied at every pixel: 1x1 conv, norm, ReLU, 1x1 conv.

    ``linear1`` (in -> hid, with bias), ``bn1``, ReLU, ``linear2`` (hid ->
    out, with bias); no norm or activation at the output. Module names
    follow the authors' ``MLP2d`` so their checkpoints map one to one. The
    1x1 convolutions run as matrix products (:class:`PointwiseConv2d`).

    ``forward`` takes one (N, in_channels, H, W) map and returns it
    projected to (N, out_channels, H, W), in channels-last layout; the
    algorithm applies it to each map it projects (docs/recipe.md, "Model").

    Args:
        in_channels (int): Input channels. Defaults to 2048.
        hid_channels (int): Hidden channels. Defaults to 4096.
        out_channels (int): Output channels. Defaults to 256.
        norm_cfg (dict): Config of the hidden norm layer. Defaults to
            ``dict(type='SyncBN')``.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 hid_channels: int = 4096,
                 out_channels: int = 256,
                 norm_cfg: dict = dict(type='SyncBN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.linear1 = PointwiseConv2d(in_channels, hid_channels)
        self.bn1 = build_norm_layer(norm_cfg, hid_channels)[1]
        self.relu1 = nn.ReLU(inplace=True)
        self.linear2 = PointwiseConv2d(hid_channels, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu1(self.bn1(self.linear1(x)))
        return self.linear2(x)
