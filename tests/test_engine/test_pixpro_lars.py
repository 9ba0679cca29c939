import inspect
import math

import pytest
import torch
import torch.nn as nn

from mmpixpro.engine import PixProLARS


def reference_steps(weights, grads, lrs, wd, eta, eps, momentum, excluded):
    """The released update written out: d = g + wd w; d *= eta |w| / (|d| +
    eps); buf = m buf + d; w -= lr buf. Excluded: d = g; w -= lr buf."""
    w = weights.clone()
    buf = None
    for g, lr in zip(grads, lrs):
        if excluded:
            d = g.clone()
        else:
            d = g + wd * w
            w_norm, d_norm = w.norm().item(), d.norm().item()
            if w_norm > 0 and d_norm > 0:
                d = d * (eta * w_norm / (d_norm + eps))
        buf = d.clone() if buf is None else momentum * buf + d
        w = w - lr * buf
    return w


def test_matches_released_update_with_changing_lr():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3)  # 4-D weight: adapted; 1-D bias: excluded
    w0, b0 = conv.weight.detach().clone(), conv.bias.detach().clone()
    opt = PixProLARS(conv.parameters(), lr=2.0, momentum=0.9,
                     weight_decay=1e-2, eta=0.001, eps=1e-8)
    lrs = [2.0, 1.5, 0.7]
    wgrads, bgrads = [], []
    for lr in lrs:
        for group in opt.param_groups:
            group['lr'] = lr
        wg, bg = torch.randn_like(w0), torch.randn_like(b0)
        wgrads.append(wg)
        bgrads.append(bg)
        conv.weight.grad, conv.bias.grad = wg.clone(), bg.clone()
        opt.step()
    torch.testing.assert_close(
        conv.weight.detach(),
        reference_steps(w0, wgrads, lrs, 1e-2, 0.001, 1e-8, 0.9, False))
    torch.testing.assert_close(
        conv.bias.detach(),
        reference_steps(b0, bgrads, lrs, 1e-2, 0.001, 1e-8, 0.9, True))


def test_lars_exclude_group_steps_with_plain_lr():
    torch.manual_seed(0)
    w = nn.Parameter(torch.randn(5, 5))
    w0 = w.detach().clone()
    opt = PixProLARS([dict(params=[w], lars_exclude=True)], lr=0.1,
                     weight_decay=0.5)
    g = torch.randn(5, 5)
    w.grad = g.clone()
    opt.step()
    torch.testing.assert_close(w.detach(), w0 - 0.1 * g)


def test_rejects_negative_values():
    with pytest.raises(ValueError, match='weight_decay'):
        PixProLARS([nn.Parameter(torch.ones(1))], lr=1., weight_decay=-1)


def released_steps(params, grads, lrs, wd, eta, eps, momentum):
    """The released LARS update written out element by element, in float64,
    for several parameters at once. ``params``: name -> (tensor, excluded);
    ``grads``: one dict name -> gradient per step; ``lrs``: lr per step.

    Adapted: d = g + wd * w; d = d * eta * |w| / (|d| + eps).
    Excluded: d = g. Then buf = d (first step) or m * buf + d; w -= lr * buf.
    """
    state = {k: [w.clone(), None] for k, (w, _) in params.items()}
    for step_grads, lr in zip(grads, lrs):
        for name, (_, excluded) in params.items():
            w, buf = state[name]
            g = step_grads[name]
            if excluded:
                d = g.clone()
            else:
                d = g + wd * w
                w_norm = math.sqrt(sum(v * v for v in w.flatten().tolist()))
                d_norm = math.sqrt(sum(v * v for v in d.flatten().tolist()))
                if w_norm > 0 and d_norm > 0:
                    d = d * (eta * w_norm / (d_norm + eps))
            buf = d.clone() if buf is None else momentum * buf + d
            state[name] = [w - lr * buf, buf]
    return {k: v[0] for k, v in state.items()}, {k: v[1] for k, v in
                                                 state.items()}


# Each implementation the optimiser offers (a multi-tensor one, when it has
# a ``foreach`` option, and the loop).
IMPLEMENTATIONS = ([dict(foreach=True), dict(foreach=False)]
                   if 'foreach' in inspect.signature(PixProLARS).parameters
                   else [dict()])


@pytest.mark.parametrize('impl', IMPLEMENTATIONS, ids=str)
def test_weight_decay_and_trust_ratio_are_visible(impl):
    """Gradients about 1e-3 of the weights and weight decay 0.05, so wd * w
    dominates d: dropping the decay of adapted parameters, or taking the
    trust ratio from |g| instead of |g + wd w|, moves the weights by far
    more than the tolerance (checked below on the written-out variants)."""
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3).double()
    fc = nn.Linear(5, 6).double()
    extra = nn.Parameter(torch.randn(3, 3, dtype=torch.float64))
    named = dict(conv_w=conv.weight, conv_b=conv.bias, fc_w=fc.weight,
                 fc_b=fc.bias, extra=extra)
    excluded = dict(conv_w=False, conv_b=True, fc_w=False, fc_b=True,
                    extra=True)
    start = {k: (p.detach().clone(), excluded[k]) for k, p in named.items()}
    wd, eta, eps, momentum = 0.05, 0.001, 1e-8, 0.9
    opt = PixProLARS(
        [dict(params=[conv.weight, conv.bias, fc.weight, fc.bias]),
         dict(params=[extra], lars_exclude=True)],
        lr=2.0, momentum=momentum, weight_decay=wd, eta=eta, eps=eps,
        **impl)
    lrs = [2.0, 2.0, 0.5, 3.0]  # lr changes between steps
    grads = []
    for lr in lrs:
        for group in opt.param_groups:
            group['lr'] = lr
        step = {k: 1e-3 * p.detach().norm() / p.numel()**0.5 *
                torch.randn_like(p) for k, p in named.items()}
        grads.append(step)
        for k, p in named.items():
            p.grad = step[k].clone()
        opt.step()
    want, bufs = released_steps(start, grads, lrs, wd, eta, eps, momentum)
    for k, p in named.items():
        torch.testing.assert_close(p.detach(), want[k], rtol=1e-10,
                                   atol=1e-12, msg=k)
        torch.testing.assert_close(opt.state[p]['momentum_buffer'], bufs[k],
                                   rtol=1e-10, atol=1e-12, msg=k)

    # The test has power: each wrong variant of the update lands far away.
    no_decay, _ = released_steps(start, grads, lrs, 0., eta, eps, momentum)

    def g_norm_steps():
        state = {k: [w.clone(), None] for k, (w, _) in start.items()}
        for step, lr in zip(grads, lrs):
            for k, (_, ex) in start.items():
                w, buf = state[k]
                g = step[k]
                d = g.clone()
                if not ex:  # the trust ratio from |g|, not |g + wd w|
                    d = (g + wd * w) * (eta * w.norm() / (g.norm() + eps))
                buf = d if buf is None else momentum * buf + d
                state[k] = [w - lr * buf, buf]
        return {k: v[0] for k, v in state.items()}

    for wrong in (no_decay, g_norm_steps()):
        for k in ('conv_w', 'fc_w'):
            assert (wrong[k] - want[k]).abs().max() > 1e3 * 1e-10 * want[
                k].abs().max(), k
