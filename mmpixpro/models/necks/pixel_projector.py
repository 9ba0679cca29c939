"""Per-pixel projector (the "neck" of PixPro)."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS


def pointwise(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """``conv(x)`` for a 1x1, stride-1, ungrouped ``conv``, computed as one
    matrix product over channels (``F.linear`` on the NHWC view of ``x``).

    Same parameters, values and gradients as ``conv(x)`` to round-off; on the
    CPU 2 to 3x faster than oneDNN's 1x1 convolution at PixPro's shapes
    (``docs/speed.md``). Input (N, Cin, H, W) in any memory format; output
    (N, Cout, H, W) in channels-last layout.
    """
    y = F.linear(x.permute(0, 2, 3, 1), conv.weight.flatten(1), conv.bias)
    return y.permute(0, 3, 1, 2)


@MODELS.register_module()
class PixelProjector(BaseModule):
    """An MLP applied at every pixel: 1x1 conv, norm, ReLU, 1x1 conv.

    ``linear1`` (in -> hid, with bias), ``bn1``, ReLU, ``linear2`` (hid -> out,
    with bias); no norm or activation at the output. Module names follow the
    authors' ``MLP2d`` so their checkpoints map one to one.

    The 1x1 convolutions run as matrix products (:func:`pointwise`).

    Input: a tuple of (N, in_channels, H, W) maps (a backbone's outputs).
    Output: a tuple with each map projected to (N, out_channels, H, W), in
    channels-last layout.
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
        x = self.relu1(self.bn1(pointwise(self.linear1, x)))
        return pointwise(self.linear2, x)

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        return tuple(self.project(x) for x in inputs)
