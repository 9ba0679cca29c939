"""PixContrast's head: the pixel contrastive loss on the projections, with
no predictor and no PPM."""
from typing import Optional

from mmpixpro.registry import MODELS
from .pixel_loss_head import PixelLossHead


@MODELS.register_module()
class PixContrastHead(PixelLossHead):
    """Pixel contrastive head: a registered loss on the projected pixels.

    ``loss(online, target, boxes_online, boxes_target)`` returns the loss
    module's value (``PixelContrastLoss``, the InfoNCE of each pixel of view
    a over the pixels of view b, >= 0) for one direction; ``PixContrast``
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
        super().__init__(
            loss,
            init_cfg,
            temperature=temperature,
            pos_threshold=pos_threshold,
            chunk_size=chunk_size)

    @property
    def temperature(self) -> float:
        """tau, as the loss uses it."""
        return self.loss_module.temperature
