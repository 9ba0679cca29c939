"""The masked pixel consistency loss of PixPro (docs/recipe.md, "Loss")."""
import torch
import torch.nn.functional as F

from mmpixpro.registry import MODELS
from ..utils.box_geometry import PairGeometry
from ..utils.chunking import map_row_blocks
from ..utils.precision import full_precision
from .pixel_pair_loss import PixelPairLoss


@MODELS.register_module()
class PixelConsistencyLoss(PixelPairLoss):
    """Cosine between predicted and target pixels over the positive pairs.

    For one direction a -> b, per image::

        L_img = sum_ij mask_ij * cos(pred_i, target_j) / (sum_ij mask_ij + 1e-6)

    and the loss is ``-2 * mean_images(L_img)``, in [-2, 0]. An image whose
    views do not overlap has an empty mask and contributes 0 (it still
    counts in the mean). The normalisations, cosines and sums run in fp32
    (or wider) with autocast off, under fp16 and bf16 alike.

    With ``chunk_size`` the mask is built that many rows (pixels of view a)
    at a time and ``sum_j mask_ij * target_j`` is summed per row: as mask
    and target carry no gradient, ``sum_ij mask_ij cos_ij = sum_i pred_i .
    (sum_j mask_ij target_j)`` keeps only an (N, HWa, C) tensor, so memory
    is linear in pixels. Same value and gradient, to round-off.

    Args:
        pos_threshold (float): T, see :class:`PixelPairLoss`. Defaults to
            0.7.
        chunk_size (int, optional): Rows of the mask per block; None builds
            the (N, HWa, HWb) mask and cosines at once. Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def pair_loss(self, pred: torch.Tensor, target: torch.Tensor,
                  geometry: PairGeometry) -> torch.Tensor:
        with full_precision(pred) as dtype:
            pred = F.normalize(pred.flatten(2).to(dtype), dim=1)
            with torch.no_grad():
                target = F.normalize(target.flatten(2).to(dtype), dim=1)
            if self.chunk_size is not None:
                return self._chunked(pred, target, geometry, dtype)
            mask = geometry.positive(self.pos_threshold).to(dtype)
            cos = torch.bmm(pred.transpose(1, 2), target)  # (N, HWa, HWb)
            per_image = (cos * mask).sum((1, 2)) / (mask.sum((1, 2)) + 1e-6)
            return -2 * per_image.mean()

    @torch.no_grad()
    def _matched_targets(self, target, geometry, dtype):
        """``(sum_j mask_ij target_j, sum_ij mask_ij)``: (N, HWa, C) and (N,),
        the mask built ``chunk_size`` rows at a time."""
        target = target.transpose(1, 2)  # (N, HWb, C)

        def block(start, stop):
            mask = geometry.positive(self.pos_threshold, start, stop).to(dtype)
            return torch.bmm(mask, target), mask.sum((1, 2))

        blocks = map_row_blocks(block, geometry.centres_a.shape[1],
                                self.chunk_size)
        return (torch.cat([m for m, _ in blocks], dim=1),
                sum(count for _, count in blocks))

    def _chunked(self, pred, target, geometry, dtype):
        matched, counts = self._matched_targets(target, geometry, dtype)
        per_image = (pred.transpose(1, 2) * matched).sum((1, 2))
        return -2 * (per_image / (counts + 1e-6)).mean()
