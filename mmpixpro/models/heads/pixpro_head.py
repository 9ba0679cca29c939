"""PixPro's head: the PPM as predictor, then the pixel consistency loss
(docs/recipe.md, "Model", "Positive pixel pairs" and "Loss")."""
from typing import Optional

import torch

from mmpixpro.registry import MODELS
from ..utils.chunking import check_chunk_size
from .pixel_loss_head import PixelLossHead


@MODELS.register_module()
class PixProHead(PixelLossHead):
    """Pixel propagation head: the PPM predicts, a registered loss compares.

    ``loss(online, target, boxes_online, boxes_target)`` runs the predictor
    (``PPM``) on the online pixels of view a and returns the loss module's
    value (``PixelConsistencyLoss``, in [-2, 0]) of the prediction against
    the target pixels of view b, one direction; ``PixPro`` sums both. The
    maths is in docs/recipe.md ("Model", "Positive pixel pairs", "Loss").

    ``pos_threshold`` and ``chunk_size`` are the head's options in every
    config (``model.head.chunk_size=1024``): the head passes them to its
    loss, and ``chunk_size`` also to the PPM unless the predictor config
    sets its own, so one setting chunks both.

    Args:
        predictor (dict): Config of the propagation module. Defaults to
            ``dict(type='PPM')``.
        loss (dict): Config of the loss. Defaults to
            ``dict(type='PixelConsistencyLoss')``.
        pos_threshold (float, optional): T, passed to the loss; None leaves
            the loss's own (0.7). Defaults to None.
        chunk_size (int, optional): Rows per block of the loss and the PPM
            (docs/pretraining.md, "Large feature maps"); None: no chunking.
            Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def __init__(self,
                 predictor: dict = dict(type='PPM'),
                 loss: dict = dict(type='PixelConsistencyLoss'),
                 pos_threshold: Optional[float] = None,
                 chunk_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        chunk_size = check_chunk_size(type(self).__name__, chunk_size)
        super().__init__(
            loss, init_cfg, pos_threshold=pos_threshold, chunk_size=chunk_size)
        if chunk_size is not None:
            predictor = dict(predictor)
            predictor.setdefault('chunk_size', chunk_size)
        self.predictor = MODELS.build(predictor)

    def predict(self, online: torch.Tensor) -> torch.Tensor:
        """The PPM's output, fp32 or wider."""
        return self.predictor(online)
