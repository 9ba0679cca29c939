"""Pixel-to-propagation consistency head (docs/recipe.md, "Model",
"Positive pixel pairs" and "Loss")."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS
from ..necks.ppm import check_chunk_size
from ..utils.box_geometry import (close_cell_pairs, feature_cell_centres,
                                  positive_pair_mask)
from ..utils.precision import full_precision


@MODELS.register_module()
class PixProHead(BaseModule):
    """PPM as the predictor, then the masked pixel consistency loss.

    For one direction a -> b, per image::

        L_img = sum_ij mask_ij * cos(PPM(x^a)_i, x'^b_j) / (sum_ij mask_ij + 1e-6)

    and the loss is ``-2 * mean_images(L_img)``. An image whose views do not
    overlap has an empty mask and contributes 0 (it still counts in the mean).

    Args:
        predictor: config of the propagation module (``PPM``).
        pos_threshold: T: cells closer than T (in units of the larger cell
            diagonal) are positive pairs.
        chunk_size: None builds the (N, HWa, HWb) mask and cosines at once.
            An int builds the mask ``chunk_size`` rows (pixels of view a) at
            a time and sums ``mask_ij * x'^b_j`` over j for those rows; as the
            mask and the target carry no gradient, ``sum_ij mask_ij cos_ij =
            sum_i y_i . (sum_j mask_ij x'^b_j)`` keeps only an (N, HWa, C)
            tensor for backward: memory linear in pixels, same value and
            gradient. The head's ``chunk_size`` is also the PPM's (one
            setting for both), unless the predictor config sets its own.

    Precision: the normalisations, cosines and sums run in fp32 (or wider)
    with autocast off, under fp16 and bf16 alike.
    """

    def __init__(self,
                 predictor: dict = dict(type='PPM'),
                 pos_threshold: float = 0.7,
                 chunk_size: Optional[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        if not pos_threshold > 0:
            raise ValueError(
                f'PixProHead: pos_threshold must be > 0, got {pos_threshold!r}')
        self.pos_threshold = float(pos_threshold)
        self.chunk_size = check_chunk_size('PixProHead', chunk_size)
        if self.chunk_size is not None:
            predictor = dict(predictor)
            predictor.setdefault('chunk_size', self.chunk_size)
        self.predictor = MODELS.build(predictor)

    def loss(self, online: torch.Tensor, target: torch.Tensor,
             boxes_online: torch.Tensor,
             boxes_target: torch.Tensor) -> torch.Tensor:
        """Loss of one direction.

        Args:
            online: (N, C, Ha, Wa) online projection of view a.
            target: (N, C, Hb, Wb) target projection of view b (no gradient).
            boxes_online, boxes_target: (N, 4) crop boxes of views a and b.
        Returns:
            Scalar loss, in [-2, 0].
        """
        pred = self.predictor(online)  # fp32 or wider, see PPM
        if self.chunk_size is not None:
            return self._chunked_loss(pred, target, boxes_online,
                                      boxes_target, online.shape[-2:])
        mask = positive_pair_mask(boxes_online, boxes_target,
                                  online.shape[-2:], target.shape[-2:],
                                  self.pos_threshold)
        # Cosines and sums in fp32 at least, with autocast off.
        with full_precision(pred) as dtype:
            pred = F.normalize(pred.flatten(2).to(dtype), dim=1)
            target = F.normalize(target.detach().flatten(2).to(dtype), dim=1)
            cos = torch.bmm(pred.transpose(1, 2), target)  # (N, HWa, HWb)
            mask = mask.to(dtype)
            per_image = (cos * mask).sum((1, 2)) / (mask.sum((1, 2)) + 1e-6)
            return -2 * per_image.mean()

    def _chunked_loss(self, pred: torch.Tensor, target: torch.Tensor,
                      boxes_online: torch.Tensor, boxes_target: torch.Tensor,
                      size_online: torch.Size) -> torch.Tensor:
        """The loss with the mask built ``chunk_size`` rows at a time.

        ``pred``: (N, C, Ha, Wa), the PPM output; ``target``: (N, C, Hb, Wb).
        """
        with full_precision(pred) as dtype:
            pred = F.normalize(pred.flatten(2).to(dtype), dim=1)
            with torch.no_grad():
                centres_a, diag_a = feature_cell_centres(
                    boxes_online.float(), *size_online)
                centres_b, diag_b = feature_cell_centres(
                    boxes_target.float(), *target.shape[-2:])
                cell_size = torch.maximum(diag_a, diag_b)
                target = F.normalize(target.flatten(2).to(dtype), dim=1)
                target = target.transpose(1, 2)  # (N, HWb, C)
                matched, counts = [], 0
                for start in range(0, centres_a.shape[1], self.chunk_size):
                    mask = close_cell_pairs(
                        centres_a[:, start:start + self.chunk_size],
                        centres_b, cell_size, self.pos_threshold).to(dtype)
                    matched.append(torch.bmm(mask, target))  # sum_j m_ij x_j
                    counts = counts + mask.sum((1, 2))
                matched = torch.cat(matched, dim=1)  # (N, HWa, C)
            per_image = (pred.transpose(1, 2) * matched).sum((1, 2))
            return -2 * (per_image / (counts + 1e-6)).mean()
