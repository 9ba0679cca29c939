"""The pixel-level contrastive loss of PixContrast, the paper's pixel
task (docs/pretraining.md, "PixContrast")."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from mmpixpro.registry import MODELS
from ..utils.box_geometry import PairGeometry
from ..utils.chunking import map_row_blocks
from .pixel_pair_loss import PixelPairLoss


def _pixel_terms(query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor,
                 temperature: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Per-image sums of the pixel losses of some query pixels.

    Args:
        query (torch.Tensor): (N, M, C) normalised online pixels of view a.
        keys (torch.Tensor): (N, C, HWb) normalised target pixels of view b.
        mask (torch.Tensor): (N, M, HWb) bool positive pairs.
        temperature (float): tau.

    Returns:
        tuple[torch.Tensor, torch.Tensor]: Both (N,): the summed
        ``-log(pos / all)`` of the query pixels that have a positive, and
        how many there are.
    """
    # exp and log in fp32 at least (under fp16 autocast bmm returns fp16).
    logits = torch.bmm(query, keys)
    logits = logits.to(torch.promote_types(logits.dtype, torch.float32))
    logits = logits / temperature
    valid = mask.any(-1)  # (N, M)
    log_all = torch.logsumexp(logits, -1)
    # A row without positives would be all -inf: use zeros there instead, so
    # every intermediate stays finite; its term is dropped below.
    pos = logits.masked_fill(~mask, float('-inf'))
    pos = torch.where(valid[..., None], pos, torch.zeros_like(pos))
    per_pixel = log_all - torch.logsumexp(pos, -1)
    loss_sum = torch.where(valid, per_pixel, torch.zeros_like(per_pixel))
    return loss_sum.sum(-1), valid.sum(-1).to(loss_sum.dtype)


@MODELS.register_module()
class PixelContrastLoss(PixelPairLoss):
    """InfoNCE of each pixel of view a over the pixels of view b.

    For each pixel i of view a with at least one positive j in view b::

        L_i = -log( sum_{j in P_i} exp(cos(x_i, x'_j) / tau)
                    / sum_{k in view b} exp(cos(x_i, x'_k) / tau) )

    with x the online pixels of view a and x' the target pixels of view b of
    the same image (no gradient). L_i is averaged over those pixels, then
    over images. Pixels without a positive contribute nothing; an image
    with no such pixel (views that do not overlap) contributes 0 and still
    counts in the image mean. Log-sum-exp in fp32 at least.

    With ``chunk_size`` the loss takes that many view-a pixels at a time,
    building each block's mask rows and, when gradients are on, recomputing
    the block in backward, so memory is linear in pixels. Same loss and
    gradient, to round-off.

    Args:
        temperature (float): tau. Defaults to 0.3.
        pos_threshold (float): T, see :class:`PixelPairLoss`. Defaults to
            0.7.
        chunk_size (int, optional): View-a pixels per block; None computes
            the (N, HWa, HWb) logits at once. Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def __init__(self,
                 temperature: float = 0.3,
                 pos_threshold: float = 0.7,
                 chunk_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if not temperature > 0:
            raise ValueError(f'{type(self).__name__}: temperature must be > '
                             f'0, got {temperature!r}')
        super().__init__(pos_threshold, chunk_size, init_cfg)
        self.temperature = float(temperature)

    def pair_loss(self, online: torch.Tensor, target: torch.Tensor,
                  geometry: PairGeometry) -> torch.Tensor:
        query = F.normalize(online, dim=1).flatten(2).transpose(1, 2)
        keys = F.normalize(target, dim=1).flatten(2)
        if self.chunk_size is None:
            loss_sum, count = _pixel_terms(
                query, keys, geometry.positive(self.pos_threshold),
                self.temperature)
        else:
            loss_sum, count = self._chunked_terms(query, keys, geometry)
        per_image = loss_sum / count.clamp(min=1)
        return per_image.mean()

    def _chunked_terms(
            self, query: torch.Tensor, keys: torch.Tensor,
            geometry: PairGeometry) -> Tuple[torch.Tensor, torch.Tensor]:
        """:func:`_pixel_terms` summed over blocks of view-a pixels, each
        block checkpointed when gradients are on: backward keeps the query
        and the centres, not the (N, R, HWb) logits."""

        def block(start, stop):
            mask = geometry.positive(self.pos_threshold, start, stop)
            return _pixel_terms(query[:, start:stop], keys, mask,
                                self.temperature)

        recompute = torch.is_grad_enabled() and query.requires_grad
        blocks = map_row_blocks(block, query.shape[1], self.chunk_size,
                                recompute)
        return (sum(terms[0] for terms in blocks),
                sum(terms[1] for terms in blocks))
