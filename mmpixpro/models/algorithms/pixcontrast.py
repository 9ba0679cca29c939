"""PixContrast: the paper's pixel-level contrastive pretext task."""
from typing import Dict, List, Optional, Union

import torch
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS
from .pixpro import PixPro


@MODELS.register_module()
class PixContrast(PixPro):
    """PixContrast pre-training.

    PixPro's backbone, pixel projector, momentum target network, two views
    and positive pairs, with ``head`` a ``PixContrastHead`` (no PPM). The
    loss of each direction is the head's InfoNCE over the pixels of the
    other view; the two directions are AVERAGED (PixPro sums them), and the
    result is reported as ``loss_pixcontrast``.

    Args:
        backbone, neck, head: configs of the backbone, the pixel projector
            and the ``PixContrastHead``.
        base_momentum: tau at the first iteration (cosine to 1 at the end).
        instance_loss_weight: must be 0: PixContrast has no instance branch.
        channels_last, compile_encoder: as in ``PixPro``.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.99,
                 instance_loss_weight: float = 0.,
                 channels_last: bool = False,
                 compile_encoder: Union[bool, dict] = False,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if instance_loss_weight != 0:
            raise ValueError(
                'PixContrast has no instance branch: instance_loss_weight '
                f'must be 0, got {instance_loss_weight!r}')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            base_momentum=base_momentum,
            channels_last=channels_last,
            compile_encoder=compile_encoder,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        online, target, boxes = self.project_views(inputs, data_samples)
        # view 1's pixels against view 2's target pixels, and the reverse.
        loss_12 = self.head.loss(online[0][0], target[1][0], boxes[0],
                                 boxes[1])
        loss_21 = self.head.loss(online[1][0], target[0][0], boxes[1],
                                 boxes[0])
        return dict(loss_pixcontrast=(loss_12 + loss_21) / 2)
