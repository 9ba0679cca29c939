"""Positive pixel pairs from crop boxes (docs/recipe.md, "Positive pixel
pairs").

A box is ``(x1, y1, x2, y2)`` in the source image, normalised to [0, 1] by
``W_img - 1`` and ``H_img - 1``, through the centres of the first and last
pixel column/row of the crop. A horizontally flipped view has ``x1 > x2``, so
its cells map right-to-left with no special case.
"""
from typing import Tuple

import torch


def feature_cell_centres(boxes: torch.Tensor, height: int,
                         width: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Centres of the cells of an ``height x width`` map laid over each box.

    Args:
        boxes: (N, 4) boxes ``(x1, y1, x2, y2)``.
    Returns:
        ``(centres, bin_diag)``: (N, H*W, 2) ``(x, y)`` centres in row-major
        cell order, and (N,) cell diagonals ``sqrt(bin_w^2 + bin_h^2)``.
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
def positive_pair_mask(boxes_a: torch.Tensor,
                       boxes_b: torch.Tensor,
                       size_a: Tuple[int, int],
                       size_b: Tuple[int, int],
                       threshold: float = 0.7) -> torch.Tensor:
    """Which cells of view a and view b see the same place of the image.

    ``d_ij = ||centre_a(i) - centre_b(j)|| / max(bin_diag_a, bin_diag_b)``;
    the pair is positive when ``d_ij < threshold``. No gradient.

    Args:
        boxes_a, boxes_b: (N, 4) boxes of the two views of the same images.
        size_a, size_b: ``(H, W)`` of each view's feature map.
        threshold: T (docs/recipe.md, "Positive pixel pairs").
    Returns:
        (N, Ha*Wa, Hb*Wb) float mask, cells in row-major order.
    """
    centres_a, diag_a = feature_cell_centres(boxes_a.float(), *size_a)
    centres_b, diag_b = feature_cell_centres(boxes_b.float(), *size_b)
    return close_cell_pairs(centres_a, centres_b,
                            torch.maximum(diag_a, diag_b), threshold).float()


@torch.no_grad()
def close_cell_pairs(centres_a: torch.Tensor, centres_b: torch.Tensor,
                     cell_size: torch.Tensor,
                     threshold: float) -> torch.Tensor:
    """``d_ij < threshold`` for some cells of view a against cells of view b.

    The core of :func:`positive_pair_mask`, for a range of rows at a time:
    pass ``centres_a[:, start:stop]`` to get those rows of the mask.

    Args:
        centres_a, centres_b: (N, Ra, 2) and (N, Rb, 2) cell centres from
            :func:`feature_cell_centres`.
        cell_size: (N,) ``max(bin_diag_a, bin_diag_b)``.
    Returns:
        (N, Ra, Rb) bool mask.
    """
    # Explicit differences, not torch.cdist: its matmul path loses precision
    # and can flip pairs that sit right at the threshold.
    diff = centres_a[:, :, None, :] - centres_b[:, None, :, :]
    dist = diff.pow(2).sum(-1).sqrt()
    dist = dist / cell_size[:, None, None]
    return dist < threshold
