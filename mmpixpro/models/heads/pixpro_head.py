"""Pixel-to-propagation consistency head (sections 1 to 3 of the reference)."""
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS
from ..utils.box_geometry import positive_pair_mask


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
    """

    def __init__(self,
                 predictor: dict = dict(type='PPM'),
                 pos_threshold: float = 0.7,
                 init_cfg=None) -> None:
        super().__init__(init_cfg)
        if not pos_threshold > 0:
            raise ValueError(
                f'PixProHead: pos_threshold must be > 0, got {pos_threshold!r}')
        self.pos_threshold = float(pos_threshold)
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
        mask = positive_pair_mask(boxes_online, boxes_target,
                                  online.shape[-2:], target.shape[-2:],
                                  self.pos_threshold)
        pred = F.normalize(self.predictor(online), dim=1).flatten(2)
        target = F.normalize(target.detach(), dim=1).flatten(2)
        cos = torch.bmm(pred.transpose(1, 2), target)  # (N, HWa, HWb)
        # Sums in fp32 at least (under fp16 autocast bmm returns fp16).
        dtype = torch.promote_types(cos.dtype, torch.float32)
        cos, mask = cos.to(dtype), mask.to(dtype)
        per_image = (cos * mask).sum((1, 2)) / (mask.sum((1, 2)) + 1e-6)
        return -2 * per_image.mean()
