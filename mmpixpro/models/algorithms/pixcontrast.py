"""PixContrast: the paper's pixel-level contrastive pretext task."""
from typing import Dict, List, Optional, Union

import torch
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS
from ..data_preprocessors.photometric import check_photometric_applied
from .pixpro import PixPro


@MODELS.register_module()
class PixContrast(PixPro):
    """PixContrast, the pixel-level contrastive pretext task of the PixPro
    paper.

    PixPro's backbone, pixel projector, momentum target network, two views
    and positive pairs, with ``head`` a ``PixContrastHead`` (no PPM): each
    direction is the InfoNCE of view 1's pixels over view 2's target
    pixels (docs/pretraining.md, "PixContrast"). The two directions are
    AVERAGED (PixPro sums them) and reported as ``loss_pixcontrast``. No
    instance branch and no FPN: one level, C5.

    Args:
        backbone (dict): Config of the backbone.
        neck (dict): Config of the pixel projector (``PixelProjector``).
        head (dict): Config of the head (``PixContrastHead``).
        base_momentum (float): tau at the first iteration, cosine to 1 at
            the end. Defaults to 0.99.
        channels_last (bool): As in :class:`PixPro`. Defaults to False.
        compile_encoder (bool | dict): As in :class:`PixPro`. Defaults to
            False.
        pretrained (str, optional): The pretrained checkpoint path. Defaults
            to None.
        data_preprocessor (dict, optional): Config of the data
            preprocessor. Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    # No PPM and no instance branch: none of PixPro's options apply.
    checkpoint_key_options = ()

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 base_momentum: float = 0.99,
                 channels_last: bool = False,
                 compile_encoder: Union[bool, dict] = False,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
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
        """``loss_pixcontrast``, the mean of both directions; the arguments
        are those of :meth:`PixPro.loss`."""
        check_photometric_applied(data_samples, self.data_preprocessor)
        (online1, online2), (target1, target2), (boxes1, boxes2) = (
            self.project_views(inputs, data_samples))
        (o1, ), (o2, ) = online1.pixels, online2.pixels
        (t1, ), (t2, ) = target1.pixels, target2.pixels
        # View 1's pixels against view 2's target pixels, and the reverse.
        loss_12 = self.head.loss(o1, t2, boxes1, boxes2)
        loss_21 = self.head.loss(o2, t1, boxes2, boxes1)
        return dict(loss_pixcontrast=(loss_12 + loss_21) / 2)
