"""The momentum (target) network with PixPro's cosine schedule."""
import math
from typing import List, Optional, Union

import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.model import BaseAveragedModel

from mmpixpro.registry import MODELS

Tensors = Union[torch.Tensor, List[torch.Tensor]]


@MODELS.register_module()
class CosineMomentumEMA(BaseAveragedModel):
    """``theta_t <- tau_k * theta_t + (1 - tau_k) * theta_o`` with
    ``tau_k = 1 - (1 - base_momentum) * (cos(pi * k / K) + 1) / 2``.

    ``k`` is the number of updates done so far (mmengine's registered
    ``steps`` buffer, saved with every checkpoint, so a resume continues
    the schedule); ``K`` is ``max_iters``, or the Runner's ``max_iters``
    from the message hub. See docs/recipe.md ("Model").

    The average is :meth:`avg_func`, as in mmengine's averaged models.
    :meth:`update_parameters` differs from mmengine's in three ways, as the
    released code does (docs/implementation.md, "Momentum target"):

    - only parameters are averaged; buffers (BN running statistics) stay the
      target's own, where mmengine copies the online network's;
    - the first update averages, it does not copy the online network over
      the target, so a target loaded from a checkpoint is kept. The target
      starts as a copy through :meth:`copy_from`, which the owning
      algorithm calls from ``init_weights``;
    - all parameters go through ``avg_func`` at once, as lists, so it runs
      as one multi-tensor (``torch._foreach_*``) update.

    Args:
        model (nn.Module): The online module to copy and average.
        base_momentum (float): tau at k = 0, in [0, 1]. Defaults to 0.99.
        max_iters (int, optional): K; None reads the Runner's
            ``max_iters``. Defaults to None.
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
        """K: ``max_iters``, or the Runner's."""
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
    def avg_func(self, averaged_param: Tensors, source_param: Tensors,
                 steps: int) -> None:
        """``averaged <- tau * averaged + (1 - tau) * source`` in place, with
        tau of update ``steps``.

        Args:
            averaged_param (Tensor | list[Tensor]): The target's parameters.
            source_param (Tensor | list[Tensor]): The online parameters, on
                the same devices.
            steps (int): The number of updates done so far.
        """
        if isinstance(averaged_param, torch.Tensor):
            averaged_param, source_param = [averaged_param], [source_param]
        tau = self.momentum(int(steps))
        torch._foreach_mul_(averaged_param, tau)
        torch._foreach_add_(averaged_param, source_param, alpha=1 - tau)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Average ``model``'s parameters into the target, then count the
        update.

        Args:
            model (nn.Module): The online module.
        """
        targets = list(self.module.parameters())
        onlines = [
            p_o.detach().to(p_t.device)
            for p_t, p_o in zip(targets, model.parameters())
        ]
        self.avg_func(targets, onlines, int(self.steps))
        self.steps += 1

    @torch.no_grad()
    def copy_from(self, model: nn.Module) -> None:
        """Make the target an exact copy of ``model`` (parameters and
        buffers), as at the start of training.

        Args:
            model (nn.Module): The online module.
        """
        self.module.load_state_dict(model.state_dict())
