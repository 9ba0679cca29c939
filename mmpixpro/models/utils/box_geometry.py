"""Positive pixel pairs from crop boxes (docs/recipe.md, "Positive pixel
pairs").

A box is ``(x1, y1, x2, y2)`` in the source image, normalised to [0, 1] by
``W_img - 1`` and ``H_img - 1``, through the centres of the first and last
pixel column/row of the crop. A horizontally flipped view has ``x1 > x2``, so
its cells map right-to-left with no special case.
"""
from typing import NamedTuple, Optional, Tuple

import torch


def feature_cell_centres(boxes: torch.Tensor, height: int,
                         width: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Centres of the cells of a ``height x width`` map laid over each box.

    Args:
        boxes (torch.Tensor): (N, 4) boxes ``(x1, y1, x2, y2)``.
        height (int): Rows of the feature map.
        width (int): Columns of the feature map.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: (N, H*W, 2) ``(x, y)`` centres in
        row-major cell order, and (N,) cell diagonals
        ``sqrt(bin_w^2 + bin_h^2)``.
    """
    bin_w = (boxes[:, 2] - boxes[:, 0]) / width
    bin_h = (boxes[:, 3] - boxes[:, 1]) / height
    cols = torch.arange(width, dtype=boxes.dtype, device=boxes.device) + 0.5
    rows = torch.arange(height, dtype=boxes.dtype, device=boxes.device) + 0.5
    cx = boxes[:, 0, None] + cols[None] * bin_w[:, None]  # (N, W)
    cy = boxes[:, 1, None] + rows[None] * bin_h[:, None]  # (N, H)
    centres = torch.stack(
        [cx[:, None, :].expand(-1, height, -1),
         cy[:, :, None].expand(-1, -1, width)], dim=-1)
    return centres.flatten(1, 2), torch.sqrt(bin_w**2 + bin_h**2)


@torch.no_grad()
def close_cell_pairs(centres_a: torch.Tensor, centres_b: torch.Tensor,
                     cell_size: torch.Tensor,
                     threshold: float) -> torch.Tensor:
    """``d_ij < threshold`` for cells of view a against cells of view b.

    Args:
        centres_a (torch.Tensor): (N, Ra, 2) cell centres of view a.
        centres_b (torch.Tensor): (N, Rb, 2) cell centres of view b.
        cell_size (torch.Tensor): (N,) the unit of ``d_ij``.
        threshold (float): T.

    Returns:
        torch.Tensor: (N, Ra, Rb) bool mask.
    """
    # Explicit differences, not torch.cdist: its matmul path loses precision
    # and can flip pairs that sit right at the threshold.
    diff = centres_a[:, :, None, :] - centres_b[:, None, :, :]
    dist = diff.pow(2).sum(-1).sqrt()
    dist = dist / cell_size[:, None, None]
    return dist < threshold


class PairGeometry(NamedTuple):
    """The cells of two views of the same images, for their positive pairs.

    ``d_ij = ||centre_a(i) - centre_b(j)|| / cell_size`` with ``cell_size =
    max(bin_diag_a, bin_diag_b)``; the pair is positive when ``d_ij < T``.
    Built once per loss call by :func:`pair_geometry`; the direct loss takes
    all rows of the mask, a chunked loss one block of rows at a time.

    Attributes:
        centres_a (torch.Tensor): (N, HWa, 2) cell centres of view a.
        centres_b (torch.Tensor): (N, HWb, 2) cell centres of view b.
        cell_size (torch.Tensor): (N,) the larger of the two cell diagonals.
    """
    centres_a: torch.Tensor
    centres_b: torch.Tensor
    cell_size: torch.Tensor

    def positive(self,
                 threshold: float,
                 start: int = 0,
                 stop: Optional[int] = None) -> torch.Tensor:
        """Rows ``start:stop`` (cells of view a) of the (N, HWa, HWb) bool
        mask of positive pairs; all rows by default."""
        return close_cell_pairs(self.centres_a[:, start:stop], self.centres_b,
                                self.cell_size, threshold)


@torch.no_grad()
def pair_geometry(boxes_a: torch.Tensor, boxes_b: torch.Tensor,
                  size_a: Tuple[int, int],
                  size_b: Tuple[int, int]) -> PairGeometry:
    """Cell centres of both views and the cell size, in fp32, no gradient.

    Args:
        boxes_a (torch.Tensor): (N, 4) crop boxes of view a.
        boxes_b (torch.Tensor): (N, 4) crop boxes of view b of the same
            images.
        size_a (tuple[int, int]): ``(H, W)`` of view a's feature map.
        size_b (tuple[int, int]): ``(H, W)`` of view b's feature map.

    Returns:
        PairGeometry: The centres and the cell size.
    """
    centres_a, diag_a = feature_cell_centres(boxes_a.float(), *size_a)
    centres_b, diag_b = feature_cell_centres(boxes_b.float(), *size_b)
    return PairGeometry(centres_a, centres_b, torch.maximum(diag_a, diag_b))


@torch.no_grad()
def positive_pair_mask(boxes_a: torch.Tensor,
                       boxes_b: torch.Tensor,
                       size_a: Tuple[int, int],
                       size_b: Tuple[int, int],
                       threshold: float = 0.7) -> torch.Tensor:
    """Which cells of view a and view b see the same place of the image.

    Args:
        boxes_a (torch.Tensor): (N, 4) crop boxes of view a.
        boxes_b (torch.Tensor): (N, 4) crop boxes of view b.
        size_a (tuple[int, int]): ``(H, W)`` of view a's feature map.
        size_b (tuple[int, int]): ``(H, W)`` of view b's feature map.
        threshold (float): T (docs/recipe.md, "Positive pixel pairs").
            Defaults to 0.7.

    Returns:
        torch.Tensor: (N, Ha*Wa, Hb*Wb) float mask, cells in row-major order.
    """
    geometry = pair_geometry(boxes_a, boxes_b, size_a, size_b)
    return geometry.positive(threshold).float()
