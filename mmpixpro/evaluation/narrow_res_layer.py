"""The C4 box head's res5 (mmpretrain's ``ResLayerExtraNorm``: res5 then an
extra norm, detectron2's Res5ROIHeadsExtraNorm) for ResNets of any base
width. mmdet's ``ResLayer``, and so mmpretrain's subclass, fix the width
at 64 base channels; the main job's miniature detector has the narrow
ResNet-18 of the scenes configs (16 base channels). The module's tensors
are named as ``ResLayerExtraNorm``'s (``layer4.*``, ``norm.*``), so a
backbone file fills its ``layer4`` the same way.

Imported by the miniature detection config's ``custom_imports``; it
registers ``NarrowResLayerExtraNorm`` in mmdet's registry.
"""
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmdet.models.backbones import ResNet
from mmdet.models.layers import ResLayer as _ResLayer
from mmdet.registry import MODELS
from mmengine.model import BaseModule


@MODELS.register_module()
class NarrowResLayerExtraNorm(BaseModule):
    """Stage ``stage`` of a ResNet (res5 by default) followed by a norm, as
    the box head of a C4 detector.

    Args:
        depth (int): ResNet depth (18, 34, 50, 101, 152).
        base_channels (int): the ResNet's base width (64 for torchvision's
            ResNets). Defaults to 64.
        stage (int): which stage, 0-based. Defaults to 3 (res5).
        stride (int): stride of the stage's first block. Defaults to 2.
        dilation (int): dilation of the stage. Defaults to 1.
        style (str): 'pytorch' (stride in the 3x3 conv) or 'caffe'.
            Defaults to 'pytorch'.
        norm_cfg (dict): norm layers of the stage and the extra norm.
            Defaults to ``dict(type='BN', requires_grad=True)``.
        norm_eval (bool): keep the norms in eval mode while training.
            Defaults to False.
        init_cfg (dict, optional): e.g. a ``Pretrained`` one. Defaults to
            Kaiming convolutions and unit norms, as mmdet's ``ResLayer``.
    """

    def __init__(self,
                 depth: int,
                 base_channels: int = 64,
                 stage: int = 3,
                 stride: int = 2,
                 dilation: int = 1,
                 style: str = 'pytorch',
                 norm_cfg: dict = dict(type='BN', requires_grad=True),
                 norm_eval: bool = False,
                 init_cfg=None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(type='Kaiming', layer='Conv2d'),
                dict(type='Constant', val=1,
                     layer=['_BatchNorm', 'GroupNorm'])
            ]
        super().__init__(init_cfg)
        if depth not in ResNet.arch_settings:
            raise ValueError(f'depth must be one of '
                             f'{sorted(ResNet.arch_settings)}, got {depth}')
        self.stage = stage
        self.norm_eval = norm_eval
        block, stage_blocks = ResNet.arch_settings[depth]
        planes = base_channels * 2**stage
        inplanes = base_channels * 2**(stage - 1) * block.expansion
        self.add_module(
            f'layer{stage + 1}',
            _ResLayer(
                block,
                inplanes,
                planes,
                stage_blocks[stage],
                stride=stride,
                dilation=dilation,
                style=style,
                norm_cfg=norm_cfg))
        self.add_module('norm',
                        build_norm_layer(norm_cfg,
                                         planes * block.expansion)[1])

    def forward(self, x):
        return self.norm(getattr(self, f'layer{self.stage + 1}')(x))

    def train(self, mode: bool = True):
        super().train(mode)
        if self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
