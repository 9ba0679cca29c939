"""PixPro: pixel-to-propagation consistency ("Propagate Yourself", CVPR 2021)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS
from ..utils.momentum import CosineMomentumEMA


class PixelEncoder(nn.Module):
    """Backbone followed by the pixel projector (and the instance projector
    when the instance branch is on): the part the target network copies.

    ``forward(img)`` returns ``(pixel, instance)``: (N, C, H, W) projections of
    the backbone's last output; ``instance`` is None without the branch.
    """

    def __init__(self,
                 backbone: nn.Module,
                 neck: nn.Module,
                 instance_neck: Optional[nn.Module] = None) -> None:
        super().__init__()
        self.backbone = backbone
        self.neck = neck
        if instance_neck is not None:
            self.instance_neck = instance_neck

    def forward(self, img: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        feats = self.backbone(img)[-1:]
        pixel = self.neck(feats)[0]
        instance = (self.instance_neck(feats)[0]
                    if hasattr(self, 'instance_neck') else None)
        return pixel, instance


@MODELS.register_module()
class PixPro(BaseSelfSupervisor):
    """PixPro pre-training.

    Online: backbone -> ``neck`` (per-pixel projector) -> ``head`` (PPM and
    the pixel loss). Target: a momentum copy of backbone and projector
    (``target_net``), updated at the top of every ``loss()`` before the target
    features are computed. Optional instance branch (``instance_loss_weight >
    0``): its own projector (``instance_neck``, also averaged into the
    target) and a predictor with a BYOL-style loss (``instance_head``).

    ``loss(inputs, data_samples)``: ``inputs`` is the list of the two view
    batches, each (N, 3, H, W); every data sample carries ``coord``, a (2, 4)
    tensor with the crop box of each view. Losses of the two directions are
    summed: the pixel optimum is -4.

    Args:
        backbone, neck, head: configs of the backbone, the pixel projector
            and the ``PixProHead``.
        instance_neck, instance_head: configs of the instance branch, built
            only when ``instance_loss_weight > 0``.
        instance_loss_weight: lambda; 0 turns the branch off.
        base_momentum: tau at the first iteration (cosine to 1 at the end).
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 instance_neck: Optional[dict] = None,
                 instance_head: Optional[dict] = None,
                 instance_loss_weight: float = 0.,
                 base_momentum: float = 0.99,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if instance_loss_weight < 0:
            raise ValueError('PixPro: instance_loss_weight must be >= 0, got '
                             f'{instance_loss_weight!r}')
        self.instance_loss_weight = float(instance_loss_weight)
        if self.with_instance_branch:
            if instance_neck is None or instance_head is None:
                raise ValueError(
                    'PixPro: instance_loss_weight > 0 needs both '
                    'instance_neck and instance_head configs')
            self.instance_neck = MODELS.build(instance_neck)
            self.instance_head = MODELS.build(instance_head)
        self.target_net = CosineMomentumEMA(
            self.online_encoder(), base_momentum=base_momentum)

    @property
    def with_instance_branch(self) -> bool:
        return self.instance_loss_weight > 0

    def online_encoder(self) -> PixelEncoder:
        """The online modules the target averages (shares their weights)."""
        return PixelEncoder(self.backbone, self.neck,
                            getattr(self, 'instance_neck', None))

    def init_weights(self) -> None:
        """Initialise the online network, then start the target as its copy.

        The Runner calls this before it loads any checkpoint, so a loaded
        target (``load_from``, ``--resume``) is never overwritten.
        """
        super().init_weights()
        self.target_net.copy_from(self.online_encoder())

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            got = len(inputs) if isinstance(inputs, (list, tuple)) else type(
                inputs).__name__
            raise ValueError('PixPro.loss expects inputs as a list of the two '
                             f'view batches, got {got}')
        boxes = torch.stack([s.coord for s in data_samples]).to(inputs[0])
        boxes = (boxes[:, 0], boxes[:, 1])  # (N, 4) per view

        online_encoder = self.online_encoder()
        online = [online_encoder(view) for view in inputs]
        with torch.no_grad():
            self.target_net.update_parameters(online_encoder)
            target = [self.target_net(view) for view in inputs]

        # view 1 predicts view 2's target pixels, and view 2 predicts view 1's.
        losses = dict(
            loss_pixel=self.head.loss(online[0][0], target[1][0], boxes[0],
                                      boxes[1]) +
            self.head.loss(online[1][0], target[0][0], boxes[1], boxes[0]))
        if self.with_instance_branch:
            loss_instance = (
                self.instance_head.loss(online[0][1], target[1][1]) +
                self.instance_head.loss(online[1][1], target[0][1]))
            losses['loss_instance'] = self.instance_loss_weight * loss_instance
        return losses
