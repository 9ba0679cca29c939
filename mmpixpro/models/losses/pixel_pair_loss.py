"""The base of the losses over the positive pixel pairs of two views."""
from typing import Optional

import torch
from mmengine.model import BaseModule

from ..utils.box_geometry import PairGeometry, pair_geometry
from ..utils.chunking import check_chunk_size


class PixelPairLoss(BaseModule):
    """A loss of one direction a -> b over the positive pixel pairs.

    ``forward`` builds the pair geometry of the two views (cell centres and
    cell size, docs/recipe.md, "Positive pixel pairs") once, and hands it
    with the pixels to :meth:`pair_loss`, which subclasses implement,
    taking the mask whole or ``chunk_size`` rows at a time.

    Args:
        pos_threshold (float): T: cells closer than T (in units of the larger
            cell diagonal) are positive pairs. Defaults to 0.7.
        chunk_size (int, optional): Rows (pixels of view a) per block; None
            builds the (N, HWa, HWb) matrices at once. Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def __init__(self,
                 pos_threshold: float = 0.7,
                 chunk_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if not pos_threshold > 0:
            raise ValueError(f'{type(self).__name__}: pos_threshold must be '
                             f'> 0, got {pos_threshold!r}')
        self.pos_threshold = float(pos_threshold)
        self.chunk_size = check_chunk_size(type(self).__name__, chunk_size)

    def forward(self, pred: torch.Tensor, target: torch.Tensor,
                boxes_pred: torch.Tensor,
                boxes_target: torch.Tensor) -> torch.Tensor:
        """The loss of one direction.

        Args:
            pred (torch.Tensor): (N, C, Ha, Wa) pixels of view a (online, or
                predicted from the online ones).
            target (torch.Tensor): (N, C, Hb, Wb) target pixels of view b;
                no gradient reaches them.
            boxes_pred (torch.Tensor): (N, 4) crop boxes of view a.
            boxes_target (torch.Tensor): (N, 4) crop boxes of view b.

        Returns:
            torch.Tensor: The scalar loss.
        """
        geometry = pair_geometry(boxes_pred, boxes_target, pred.shape[-2:],
                                 target.shape[-2:])
        return self.pair_loss(pred, target.detach(), geometry)

    def pair_loss(self, pred: torch.Tensor, target: torch.Tensor,
                  geometry: PairGeometry) -> torch.Tensor:
        """The loss, given the pair geometry of the two views."""
        raise NotImplementedError
