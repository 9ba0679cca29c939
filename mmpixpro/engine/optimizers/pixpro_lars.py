"""LARS as in the released PixPro code (SGD with momentum underneath)."""
from typing import Iterable, List, Optional

import torch
from torch.optim import Optimizer

from mmpixpro.registry import OPTIMIZERS


@OPTIMIZERS.register_module()
class PixProLARS(Optimizer):
    """LARS on top of SGD with momentum, the released recipe's update.

    For every parameter with a gradient::

        d = grad + wd * p                  (wd = 0 for excluded parameters)
        d = d * eta * |p| / (|d| + eps)    (adapted parameters, |p|, |d| > 0)
        buf = momentum * buf + d           (buf = d at the first step)
        p = p - lr * buf

    Excluded parameters (all 1-D ones by default, i.e. biases and norm
    weights and biases; or a param group with ``lars_exclude=True``) get no
    weight decay and no adaptation: they step with the plain learning rate.

    How this differs from mmpretrain's ``LARS``: that one divides by
    ``|grad| + wd * |p|`` instead of ``|grad + wd * p|`` and folds the
    learning rate into the momentum buffer, which changes the update whenever
    the learning rate changes (every iteration under warm-up and cosine).

    Two implementations of the same update: ``foreach=True`` runs each line
    above as one multi-tensor (``torch._foreach_*``) call over all the
    parameters of a group (a handful of kernels per step instead of several
    per parameter); ``foreach=False`` loops over the parameters. The
    elementwise arithmetic is the same in both, in the same order; only the
    norms may be reduced in another order on a GPU.

    Args:
        lr: base learning rate.
        momentum: SGD momentum.
        weight_decay: added to the gradient before the trust ratio.
        eta: trust coefficient.
        eps: added to the denominator of the trust ratio.
        exclude_1d: exclude every parameter with ``ndim <= 1``.
        foreach: multi-tensor update; None (default): when every parameter
            with a gradient is on an accelerator (on the CPU, torch's
            foreach ops fall back to a loop over the tensors anyway).
    """

    def __init__(self,
                 params: Iterable,
                 lr: float,
                 momentum: float = 0.9,
                 weight_decay: float = 0.,
                 eta: float = 0.001,
                 eps: float = 1e-8,
                 exclude_1d: bool = True,
                 foreach: Optional[bool] = None) -> None:
        for name, value in dict(lr=lr, momentum=momentum,
                                weight_decay=weight_decay, eta=eta,
                                eps=eps).items():
            if value < 0:
                raise ValueError(f'PixProLARS: {name} must be >= 0, got '
                                 f'{value!r}')
        if foreach not in (None, True, False):
            raise ValueError('PixProLARS: foreach must be None, True or '
                             f'False, got {foreach!r}')
        defaults = dict(
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            eta=eta,
            eps=eps,
            exclude_1d=exclude_1d,
            lars_exclude=False)
        super().__init__(params, defaults)
        self.foreach = foreach

    def _excluded(self, group: dict, p: torch.Tensor) -> bool:
        return group['lars_exclude'] or (group['exclude_1d'] and p.ndim <= 1)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group['params'] if p.grad is not None]
            foreach = self.foreach
            if foreach is None:
                foreach = all(p.device.type != 'cpu' for p in params)
            if foreach:
                self._step_foreach(group, params)
            else:
                self._step_loop(group, params)
        return loss

    def _step_loop(self, group: dict, params: List[torch.Tensor]) -> None:
        for p in params:
            d = p.grad
            if not self._excluded(group, p):
                if group['weight_decay'] > 0:
                    d = d.add(p, alpha=group['weight_decay'])
                p_norm, d_norm = p.norm(), d.norm()
                trust = torch.where(
                    (p_norm > 0) & (d_norm > 0),
                    group['eta'] * p_norm / (d_norm + group['eps']),
                    torch.ones_like(p_norm))
                d = d * trust
            if group['momentum'] > 0:
                state = self.state[p]
                if 'momentum_buffer' not in state:
                    state['momentum_buffer'] = d.detach().clone()
                else:
                    state['momentum_buffer'].mul_(group['momentum']).add_(d)
                d = state['momentum_buffer']
            p.add_(d, alpha=-group['lr'])

    def _step_foreach(self, group: dict, params: List[torch.Tensor]) -> None:
        if not params:
            return
        adapted, excluded = [], []
        for p in params:
            (excluded if self._excluded(group, p) else adapted).append(p)
        steps = [p.grad for p in excluded]
        if adapted:
            grads = [p.grad for p in adapted]
            if group['weight_decay'] > 0:
                grads = torch._foreach_add(
                    grads, adapted, alpha=group['weight_decay'])
            p_norms = torch.stack(torch._foreach_norm(adapted))
            d_norms = torch.stack(torch._foreach_norm(grads))
            trust = torch.where(
                (p_norms > 0) & (d_norms > 0),
                group['eta'] * p_norms / (d_norms + group['eps']),
                torch.ones_like(p_norms))
            # One host sync per group: multi-tensor kernels take per-tensor
            # factors as a list of numbers.
            steps = list(torch._foreach_mul(grads, trust.tolist())) + steps
        params = adapted + excluded
        if group['momentum'] > 0:
            bufs, new = [], []
            for p, d in zip(params, steps):
                state = self.state[p]
                if 'momentum_buffer' in state:
                    bufs.append(state['momentum_buffer'])
                    new.append(d)
                else:
                    state['momentum_buffer'] = d.detach().clone()
            if bufs:
                torch._foreach_mul_(bufs, group['momentum'])
                torch._foreach_add_(bufs, new)
            steps = [self.state[p]['momentum_buffer'] for p in params]
        torch._foreach_add_(params, steps, alpha=-group['lr'])
