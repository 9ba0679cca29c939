"""Instance branch of PixPro (docs/recipe.md, "Instance branch")."""
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmpixpro.registry import MODELS
from ..utils.precision import full_precision


@MODELS.register_module()
class InstanceConsistencyHead(BaseModule):
    """BYOL-style loss on whole views, pooled after the per-pixel MLPs.

    ``pred = normalize(avgpool(predictor(online)))``,
    ``tgt = normalize(avgpool(target))``; loss ``-2 * mean_n <pred_n, tgt_n>``,
    with the pooling and cosines in fp32 at least.

    Args:
        predictor (dict): Config of a per-pixel MLP. Defaults to a
            ``PixelProjector`` 256 -> 4096 -> 256.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
    """

    def __init__(self,
                 predictor: dict = dict(
                     type='PixelProjector',
                     in_channels=256,
                     hid_channels=4096,
                     out_channels=256),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.predictor = MODELS.build(predictor)

    def loss(self, online: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss of one direction.

        Args:
            online (torch.Tensor): (N, C, H, W) online instance projection.
            target (torch.Tensor): (N, C, H, W) target instance projection of
                the other view.

        Returns:
            torch.Tensor: The scalar loss, in [-2, 2].
        """
        pred = self.predictor(online)
        with full_precision(pred) as dtype:  # pooling and cosines in fp32
            pred = F.normalize(pred.to(dtype).mean((2, 3)), dim=1)
            target = F.normalize(target.detach().to(dtype).mean((2, 3)),
                                 dim=1)
            return -2 * (pred * target).sum(1).mean()
