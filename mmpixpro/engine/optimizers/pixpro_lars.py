"""LARS as in the released PixPro code (SGD with momentum underneath)."""
from typing import Iterable

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

    Args:
        lr: base learning rate.
        momentum: SGD momentum.
        weight_decay: added to the gradient before the trust ratio.
        eta: trust coefficient.
        eps: added to the denominator of the trust ratio.
        exclude_1d: exclude every parameter with ``ndim <= 1``.
    """

    def __init__(self,
                 params: Iterable,
                 lr: float,
                 momentum: float = 0.9,
                 weight_decay: float = 0.,
                 eta: float = 0.001,
                 eps: float = 1e-8,
                 exclude_1d: bool = True) -> None:
        for name, value in dict(lr=lr, momentum=momentum,
                                weight_decay=weight_decay, eta=eta,
                                eps=eps).items():
            if value < 0:
                raise ValueError(f'PixProLARS: {name} must be >= 0, got '
                                 f'{value!r}')
        defaults = dict(
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            eta=eta,
            eps=eps,
            exclude_1d=exclude_1d,
            lars_exclude=False)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                excluded = group['lars_exclude'] or (group['exclude_1d']
                                                     and p.ndim <= 1)
                d = p.grad
                if not excluded:
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
                        state['momentum_buffer'].mul_(
                            group['momentum']).add_(d)
                    d = state['momentum_buffer']
                p.add_(d, alpha=-group['lr'])
        return loss
