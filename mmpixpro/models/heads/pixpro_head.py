"""PixPro's head: the PPM as predictor, then the pixel consistency loss
(docs/recipe.md, "Model", "Positive pixel pairs" and "Loss")."""
from typing import Optional

import torch
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS
from ..utils.chunking import check_chunk_size


def loss_config(owner: str, loss: dict, **settings) -> dict:
    """``loss`` with the head's ``settings`` that are not None put in.

    A head keeps the options its configs have always set on it
    (``pos_threshold``, ``chunk_size``, ...) and hands them to its loss. A
    loss config that sets one of them to another value is refused, so one
    option never has two values.
    """
    loss = dict(loss)
    for name, value in settings.items():
        if value is None:
            continue
        if loss.get(name, value) != value:
            raise ValueError(
                f'{owner}: {name} is set on the head ({value!r}) and on its '
                f'loss ({loss[name]!r}); set it in one place')
        loss[name] = value
    return loss


@MODELS.register_module()
class PixProHead(BaseModule):
    """Pixel propagation head: the PPM predicts, a registered loss compares.

    ``loss(online, target, boxes_online, boxes_target)`` runs the predictor
    (``PPM``) on the online pixels of view a and returns the loss module's
    value (``PixelConsistencyLoss``) of the prediction against the target
    pixels of view b, one direction; ``PixPro`` sums both. The maths is in
    docs/recipe.md ("Model", "Positive pixel pairs", "Loss").

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
        super().__init__(init_cfg)
        chunk_size = check_chunk_size(type(self).__name__, chunk_size)
        if chunk_size is not None:
            predictor = dict(predictor)
            predictor.setdefault('chunk_size', chunk_size)
        self.predictor = MODELS.build(predictor)
        self.loss_module = MODELS.build(
            loss_config(type(self).__name__, loss,
                        pos_threshold=pos_threshold, chunk_size=chunk_size))

    @property
    def pos_threshold(self) -> float:
        """T, as the loss uses it."""
        return self.loss_module.pos_threshold

    @property
    def chunk_size(self) -> Optional[int]:
        """Rows per block of the loss."""
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
            torch.Tensor: The scalar loss, in [-2, 0].
        """
        pred = self.predictor(online)  # fp32 or wider, see PPM
        return self.loss_module(pred, target.detach(), boxes_online,
                                boxes_target)
