"""Pixel-level contrastive head (PixContrast, the paper's pixel task)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch.utils.checkpoint import checkpoint

from mmpixpro.registry import MODELS
from ..necks.ppm import check_chunk_size
from ..utils.box_geometry import (close_cell_pairs, feature_cell_centres,
                                  positive_pair_mask)


def _pixel_terms(query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor,
                 temperature: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Per-image sums of the pixel losses of some query pixels.

    Args:
        query: (N, M, C) normalised online pixels of view a.
        keys: (N, C, HWb) normalised target pixels of view b.
        mask: (N, M, HWb) bool positive pairs.
    Returns:
        ``(loss_sum, count)``, both (N,): the summed ``-log(pos / all)`` of
        the query pixels that have a positive, and how many there are.
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
class PixContrastHead(BaseModule):
    """PixContrast loss of one direction a -> b (no predictor, no PPM).

    For each pixel i of view a with at least one positive j in view b
    (``positive_pair_mask``, threshold T)::

        L_i = -log( sum_{j in P_i} exp(cos(x_i, x'_j) / tau)
                    / sum_{k in view b} exp(cos(x_i, x'_k) / tau) )

    with x the online projection of view a and x' the target projection of
    view b of the same image. L_i is averaged over those pixels, then over
    images. Pixels without a positive contribute nothing; an image with no
    such pixel (views that do not overlap) contributes 0 and still counts in
    the image mean, as in ``PixProHead``. Computed with log-sum-exp in fp32
    at least.

    Args:
        temperature: tau.
        pos_threshold: T, as in ``PixProHead``.
        chunk_size: None computes the (N, HWa, HWb) logits at once; an
            integer takes that many view-a pixels at a time, building each
            chunk's mask from the cell centres and, when gradients are on,
            recomputing the chunk in backward (``torch.utils.checkpoint``), so
            memory is linear in pixels. Same loss and gradient either way.
    """

    def __init__(self,
                 temperature: float = 0.3,
                 pos_threshold: float = 0.7,
                 chunk_size: Optional[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        for name, value in (('temperature', temperature),
                            ('pos_threshold', pos_threshold)):
            if not value > 0:
                raise ValueError(
                    f'PixContrastHead: {name} must be > 0, got {value!r}')
        self.temperature = float(temperature)
        self.pos_threshold = float(pos_threshold)
        self.chunk_size = check_chunk_size('PixContrastHead', chunk_size)

    def loss(self, online: torch.Tensor, target: torch.Tensor,
             boxes_online: torch.Tensor,
             boxes_target: torch.Tensor) -> torch.Tensor:
        """Loss of one direction, a scalar >= 0; arguments as in
        ``PixProHead.loss``."""
        size_a, size_b = online.shape[-2:], target.shape[-2:]
        query = F.normalize(online, dim=1).flatten(2).transpose(1, 2)
        keys = F.normalize(target.detach(), dim=1).flatten(2)
        if self.chunk_size is None:
            mask = positive_pair_mask(boxes_online, boxes_target, size_a,
                                      size_b, self.pos_threshold).bool()
            loss_sum, count = _pixel_terms(query, keys, mask,
                                           self.temperature)
        else:
            loss_sum, count = self._chunked_terms(query, keys, boxes_online,
                                                  boxes_target, size_a,
                                                  size_b)
        per_image = loss_sum / count.clamp(min=1)
        return per_image.mean()

    def _chunked_terms(self, query, keys, boxes_a, boxes_b, size_a, size_b):
        """``_pixel_terms`` for ``chunk_size`` view-a pixels at a time.

        Each chunk builds its own mask rows (``close_cell_pairs``); with
        gradients on it is checkpointed, so backward keeps only the (N, M, C)
        query chunks and (N, M, 2) centres, not the (N, M, HWb) logits.
        """
        with torch.no_grad():
            centres_a, diag_a = feature_cell_centres(boxes_a.float(), *size_a)
            centres_b, diag_b = feature_cell_centres(boxes_b.float(), *size_b)
            diag = torch.maximum(diag_a, diag_b)

        def chunk_terms(query_chunk, centres_chunk):
            mask = close_cell_pairs(centres_chunk, centres_b, diag,
                                    self.pos_threshold)
            return _pixel_terms(query_chunk, keys, mask, self.temperature)

        recompute = torch.is_grad_enabled() and query.requires_grad
        loss_sum, count = 0, 0
        for start in range(0, query.shape[1], self.chunk_size):
            stop = start + self.chunk_size
            args = (query[:, start:stop], centres_a[:, start:stop])
            if recompute:
                terms = checkpoint(chunk_terms, *args, use_reentrant=False)
            else:
                terms = chunk_terms(*args)
            loss_sum, count = loss_sum + terms[0], count + terms[1]
        return loss_sum, count
