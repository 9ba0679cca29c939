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
