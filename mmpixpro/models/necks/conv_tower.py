"""The shared convolution tower of an FCOS-style head, for head pre-training."""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS


@MODELS.register_module()
class ConvTower(BaseModule):
    """``stacked_convs`` x (3x3 conv, norm, ReLU), one set of weights applied
    to every pyramid level.

    Built as mmdet's ``AnchorFreeHead`` builds its ``cls_convs`` and
    ``reg_convs`` (same ``ConvModule`` arguments, GN by default as in
    ``FCOSHead``, the conv bias off under a norm, normal init with std 0.01),
    so ``convs.{i}.*`` are the keys of either tower: ``convs.0.conv.weight``,
    ``convs.0.gn.weight``, ``convs.0.gn.bias`` ...

    Input: a sequence of (N, in_channels, H_l, W_l) maps (FPN levels).
    Output: a tuple of (N, feat_channels, H_l, W_l) maps, one per level.

    Args:
        in_channels (int): Channels of each input level. Defaults to 256.
        feat_channels (int): Channels of the convolutions. Defaults to 256.
        stacked_convs (int): Number of conv, norm, ReLU blocks, >= 1.
            Defaults to 4.
        conv_cfg (dict, optional): Config of the convolutions. Defaults to
            None.
        norm_cfg (dict, optional): Config of the norm layers. Defaults to
            ``dict(type='GN', num_groups=32, requires_grad=True)``.
        conv_bias (bool | str): The convolutions' bias; 'auto' drops it
            under a norm. Defaults to 'auto'.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            ``dict(type='Normal', layer='Conv2d', std=0.01)``.
    """

    def __init__(self,
                 in_channels: int = 256,
                 feat_channels: int = 256,
                 stacked_convs: int = 4,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = dict(
                     type='GN', num_groups=32, requires_grad=True),
                 conv_bias: Union[bool, str] = 'auto',
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Conv2d', std=0.01)) -> None:
        super().__init__(init_cfg)
        if stacked_convs < 1:
            raise ValueError(
                f'ConvTower: stacked_convs must be >= 1, got {stacked_convs!r}')
        self.convs = nn.ModuleList(
            ConvModule(
                in_channels if i == 0 else feat_channels,
                feat_channels,
                3,
                stride=1,
                padding=1,
                conv_cfg=conv_cfg,
                norm_cfg=norm_cfg,
                bias=conv_bias) for i in range(stacked_convs))

    def tower(self, x: torch.Tensor) -> torch.Tensor:
        """One level: (N, in, H, W) -> (N, feat, H, W)."""
        for conv in self.convs:
            x = conv(x)
        return x

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        return tuple(self.tower(x) for x in inputs)
