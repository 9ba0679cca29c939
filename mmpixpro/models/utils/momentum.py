"""The momentum (target) network with PixPro's cosine schedule."""
import math
from typing import Optional

import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.model import BaseAveragedModel

from mmpixpro.registry import MODELS


@MODELS.register_module()
class CosineMomentumEMA(BaseAveragedModel):
    """``theta_t <- tau_k * theta_t + (1 - tau_k) * theta_o`` with
    ``tau_k = 1 - (1 - base_momentum) * (cos(pi * k / K) + 1) / 2``.

    ``k`` is the number of updates done so far (the registered ``steps``
    buffer, so it is saved with every checkpoint and survives a resume);
    ``K`` is ``max_iters``, or the Runner's ``max_iters`` from the message hub.

    Unlike mmpretrain's ``CosineEMA`` (whose momentum is ``1 - tau``):
    - only parameters are averaged; buffers (BN running statistics) are the
      target's own, as in the released code;
    - the first update averages, it does not copy the online network over the
      target, so a target loaded from a checkpoint is kept. The target starts
      as a copy of the online network through :meth:`copy_from`, which the
      owning algorithm calls from ``init_weights``.

    Args:
        model: the online module to copy and average.
        base_momentum: tau at k = 0 (0.99 in the recipe, docs/recipe.md,
            "Model").
        max_iters: K; None reads the Runner's ``max_iters``.
    """

    def __init__(self,
                 model: nn.Module,
                 base_momentum: float = 0.99,
                 max_iters: Optional[int] = None) -> None:
        super().__init__(model)
        if not 0 <= base_momentum <= 1:
            raise ValueError(
                f'base_momentum must be in [0, 1], got {base_momentum!r}')
        self.base_momentum = base_momentum
        self.max_iters = max_iters

    def total_steps(self) -> int:
        if self.max_iters is not None:
            return self.max_iters
        max_iters = MessageHub.get_current_instance().get_info('max_iters')
        if max_iters is None:
            raise RuntimeError(
                'CosineMomentumEMA needs the total number of iterations K: '
                'run it under an mmengine Runner or pass max_iters.')
        return max_iters

    def momentum(self, step: int) -> float:
        """tau at update ``step`` (0-based)."""
        k, total = float(step), float(self.total_steps())
        return 1 - (1 - self.base_momentum) * (math.cos(math.pi * k / total) +
                                               1) / 2

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """One multi-tensor update over all parameters (the same
        elementwise ``p_t * tau + p_o * (1 - tau)`` as a loop over them)."""
        tau = self.momentum(int(self.steps))
        targets = list(self.module.parameters())
        onlines = [
            p_o.detach().to(p_t.device)
            for p_t, p_o in zip(targets, model.parameters())
        ]
        torch._foreach_mul_(targets, tau)
        torch._foreach_add_(targets, onlines, alpha=1 - tau)
        self.steps += 1

    @torch.no_grad()
    def copy_from(self, model: nn.Module) -> None:
        """Make the target an exact copy of ``model`` (parameters and
        buffers), as at the start of training."""
        self.module.load_state_dict(model.state_dict())
