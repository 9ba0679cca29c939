"""The part of PixPro that the momentum target copies."""
from typing import List, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn as nn


class EncoderOutput(NamedTuple):
    """What :class:`PixelEncoder` returns for one batch of views.

    Attributes:
        pixels (tuple[torch.Tensor]): The pixel projections, one (N, C, H_l,
            W_l) map per loss level: the projected C5 alone for plain PixPro,
            one map per entry of ``levels`` (each with its level's H, W) with
            an FPN.
        instance (torch.Tensor, optional): The (N, C, H, W) instance
            projection of the backbone's last output, or None without the
            instance branch.
    """
    pixels: Tuple[torch.Tensor, ...]
    instance: Optional[torch.Tensor]


class OptionalModules:
    """``with_*`` properties of the modules an encoder may go without.

    A module that is off is absent (no attribute, no state-dict keys), not
    None, so checkpoints of the plain model carry no empty entries.
    """

    @property
    def with_fpn(self) -> bool:
        return hasattr(self, 'fpn')

    @property
    def with_towers(self) -> bool:
        return hasattr(self, 'towers')

    @property
    def with_instance_branch(self) -> bool:
        return hasattr(self, 'instance_neck')


class PixelEncoder(OptionalModules, nn.Module):
    """Backbone, then the pixel projector on each loss level's map.

    Plain PixPro has one level, the backbone's last output. With ``fpn``
    the levels are the FPN outputs in ``levels``, each through the shared
    ``towers`` (optional) before the projector. The instance projector
    (when the instance branch is on) always takes the backbone's last
    output. The modules are shared with the owner, not copied.

    Args:
        backbone (nn.Module): The backbone.
        neck (nn.Module): The pixel projector, applied to one map at a time.
        instance_neck (nn.Module, optional): The instance projector. Defaults
            to None.
        fpn (nn.Module, optional): The FPN on the backbone's outputs.
            Defaults to None.
        towers (nn.Module, optional): The towers on the FPN levels. Defaults
            to None.
        levels (Sequence[int]): Indices of the FPN outputs that are loss
            levels. Defaults to ().
    """

    def __init__(self,
                 backbone: nn.Module,
                 neck: nn.Module,
                 instance_neck: Optional[nn.Module] = None,
                 fpn: Optional[nn.Module] = None,
                 towers: Optional[nn.Module] = None,
                 levels: Sequence[int] = ()) -> None:
        super().__init__()
        self.backbone = backbone
        if fpn is not None:
            self.fpn = fpn
        if towers is not None:
            self.towers = towers
        self.neck = neck
        if instance_neck is not None:
            self.instance_neck = instance_neck
        self.levels = tuple(levels)

    def level_maps(self, feats: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """Backbone outputs -> the maps the projector takes, one per loss
        level: the last output alone, or the FPN outputs in ``levels``
        (through the towers when there are some)."""
        if not self.with_fpn:
            return list(feats[-1:])
        outs = self.fpn(feats)
        outs = [outs[i] for i in self.levels]
        return list(self.towers(outs)) if self.with_towers else outs

    def forward(self, img: torch.Tensor) -> EncoderOutput:
        """Project a batch of views.

        Args:
            img (torch.Tensor): (N, 3, H, W) views.

        Returns:
            EncoderOutput: The pixel and instance projections.
        """
        feats = self.backbone(img)
        pixels = tuple(self.neck(x) for x in self.level_maps(feats))
        instance = (self.instance_neck(feats[-1])
                    if self.with_instance_branch else None)
        return EncoderOutput(pixels, instance)
