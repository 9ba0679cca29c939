"""The base of the heads whose registered loss compares the pixels of two
views."""
from typing import Optional

import torch
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS


def loss_config(owner: str, loss: dict, **settings) -> dict:
    """``loss`` with the head's ``settings`` that are not None put in.

    A head keeps the options its configs have always set on it
    (``pos_threshold``, ``chunk_size``, ...) and hands them to its loss. A
    loss config that sets one of them to another value is refused, so one
    option never has two values.

    Args:
        owner (str): The head, named in the error.
        loss (dict): Config of the loss.
        **settings: The head's options for its loss; None: not set.

    Returns:
        dict: The loss config.
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


class PixelLossHead(BaseModule):
    """A predictor (the identity here) and a registered pixel-pair loss, as
    mmpretrain's ``LatentPredictHead`` holds a predictor and a loss.

    Args:
        loss (dict): Config of the loss (a ``PixelPairLoss``).
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
        **settings: The head's own options for its loss (see
            :func:`loss_config`).
    """

    def __init__(self,
                 loss: dict,
                 init_cfg: Optional[dict] = None,
                 **settings) -> None:
        super().__init__(init_cfg)
        self.loss_module = MODELS.build(
            loss_config(type(self).__name__, loss, **settings))

    @property
    def pos_threshold(self) -> float:
        """T, as the loss uses it."""
        return self.loss_module.pos_threshold

    @property
    def chunk_size(self) -> Optional[int]:
        """Rows per block of the loss."""
        return self.loss_module.chunk_size

    def predict(self, online: torch.Tensor) -> torch.Tensor:
        """What the loss compares with the target: the online pixels."""
        return online

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
            torch.Tensor: The scalar loss.
        """
        return self.loss_module(self.predict(online), target.detach(),
                                boxes_online, boxes_target)
