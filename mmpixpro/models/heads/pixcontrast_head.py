"""PixContrast's head: the pixel contrastive loss on the projections, with
no predictor and no PPM."""
from typing import Optional

import torch
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS
from .pixpro_head import loss_config


@MODELS.register_module()
class PixContrastHead(BaseModule):
    """Pixel contrastive head: a registered loss on the projected pixels.

    ``loss(online, target, boxes_online, boxes_target)`` returns the loss
    module's value (``PixelContrastLoss``, the InfoNCE of each pixel of view
    a over the pixels of view b) for one direction; ``PixContrast``
    averages both. The definition is in docs/pretraining.md
    ("PixContrast").

    ``temperature``, ``pos_threshold`` and ``chunk_size`` are the head's
    options in every config; the head passes them to its loss.

    Args:
        loss (dict): Config of the loss. Defaults to
            ``dict(type='PixelContrastLoss')``.
        temperature (float, optional): tau, passed to the loss; None leaves
            the loss's own (0.3). Defaults to None.
        pos_threshold (float, optional): T, passed to the loss; None leaves
            the loss's own (0.7). Defaults to None.
        chunk_size (int, optional): View-a pixels per block of the loss;
            None: no chunking. Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def __init__(self,
                 loss: dict = dict(type='PixelContrastLoss'),
                 temperature: Optional[float] = None,
                 pos_threshold: Optional[float] = None,
                 chunk_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.loss_module = MODELS.build(
            loss_config(type(self).__name__, loss, temperature=temperature,
                        pos_threshold=pos_threshold, chunk_size=chunk_size))

    @property
    def temperature(self) -> float:
        """tau, as the loss uses it."""
        return self.loss_module.temperature

    @property
    def pos_threshold(self) -> float:
        """T, as the loss uses it."""
        return self.loss_module.pos_threshold

    @property
    def chunk_size(self) -> Optional[int]:
        """View-a pixels per block of the loss."""
        return self.loss_module.chunk_size

    def loss(self, online: torch.Tensor, target: torch.Tensor,
             boxes_online: torch.Tensor,
             boxes_target: torch.Tensor) -> torch.Tensor:
        """The loss of one direction, a -> b.

        Args:
            online (torch.Tensor): (N, C, Ha, Wa) online pixels of view a.
            target (torch.Tensor): (N, C, Hb, Wb) target pixels of view b.
            boxes_online (torch.Tensor): (N, 4) crop boxes of view a.
            boxes_target (torch.Tensor): (N, 4) crop boxes of view b.

        Returns:
            torch.Tensor: The scalar loss, >= 0.
        """
        return self.loss_module(online, target.detach(), boxes_online,
                                boxes_target)
