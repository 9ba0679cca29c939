"""PixProLARS's multi-tensor update against its per-parameter loop."""
import pytest
import torch
import torch.nn as nn

from mmpixpro.engine import PixProLARS


def params_with_every_case():
    """4-D (adapted), 2-D (adapted), 1-D (excluded), an all-zero weight
    (|p| = 0), a weight whose gradient is zero (|d| = 0 without decay), and
    one that never gets a gradient."""
    torch.manual_seed(0)
    return [
        nn.Parameter(torch.randn(4, 3, 3, 3, dtype=torch.float64)),
        nn.Parameter(torch.randn(5, 6, dtype=torch.float64)),
        nn.Parameter(torch.randn(6, dtype=torch.float64)),
        nn.Parameter(torch.zeros(3, 4, dtype=torch.float64)),
        nn.Parameter(torch.randn(2, 2, dtype=torch.float64)),
        nn.Parameter(torch.randn(7, 7, dtype=torch.float64)),
    ]


def grads_for_step(params, step):
    gen = torch.Generator().manual_seed(100 + step)
    grads = []
    for i, p in enumerate(params):
        if i == 5:
            grads.append(None)  # no gradient at all
        elif i == 4:
            grads.append(torch.zeros_like(p))
        else:
            # Small against the weights, so the weight decay shows.
            grads.append(1e-3 * torch.randn(p.shape, generator=gen,
                                            dtype=p.dtype))
    return grads


@pytest.mark.parametrize('weight_decay', [0., 0.5])
@pytest.mark.parametrize('momentum', [0., 0.9])
def test_foreach_equals_loop_over_steps(weight_decay, momentum):
    runs = {}
    for foreach in (False, True):
        params = params_with_every_case()
        groups = [dict(params=params[:5]),
                  dict(params=params[5:], lars_exclude=True)]
        opt = PixProLARS(groups, lr=1.0, momentum=momentum,
                         weight_decay=weight_decay, eta=0.02,
                         foreach=foreach)
        for step, lr in enumerate([1.0, 0.3, 0.3, 2.0]):  # lr changes
            for group in opt.param_groups:
                group['lr'] = lr
            for p, g in zip(params, grads_for_step(params, step)):
                p.grad = None if g is None else g.clone()
            opt.step()
        runs[foreach] = (params, opt)
    (loop_p, loop_opt), (fe_p, fe_opt) = runs[False], runs[True]
    start = params_with_every_case()
    for i, (a, b) in enumerate(zip(loop_p, fe_p)):
        assert torch.equal(a, b), f'parameter {i}'
    assert torch.equal(fe_p[5], start[5])  # never had a gradient
    # A zero gradient without decay is a zero step (|d| = 0: trust 1).
    assert torch.equal(fe_p[4], start[4]) == (weight_decay == 0)
    assert not torch.equal(fe_p[3], start[3])  # |p| = 0: trust 1, it moves
    # Momentum buffers: one per parameter that got a gradient, bit-equal.
    assert len(fe_opt.state) == len(loop_opt.state) == (
        5 if momentum > 0 else 0)
    for p_a, p_b in zip(loop_p, fe_p):
        assert (p_a in loop_opt.state) == (p_b in fe_opt.state)
        if p_a in loop_opt.state:
            assert torch.equal(loop_opt.state[p_a]['momentum_buffer'],
                               fe_opt.state[p_b]['momentum_buffer'])

def test_foreach_matches_written_out_update():
    """Two steps of the update written out for a decayed 2-D weight."""
    torch.manual_seed(0)
    w = nn.Parameter(torch.randn(4, 4, dtype=torch.float64))
    b = nn.Parameter(torch.randn(4, dtype=torch.float64))
    w0, b0 = w.detach().clone(), b.detach().clone()
    opt = PixProLARS([w, b], lr=0.5, momentum=0.9, weight_decay=0.1,
                     eta=0.01, eps=1e-8, foreach=True)
    gw = [1e-3 * torch.randn(4, 4, dtype=torch.float64) for _ in range(2)]
    gb = [torch.randn(4, dtype=torch.float64) for _ in range(2)]
    buf_w = buf_b = None
    for step, lr in enumerate([0.5, 0.2]):
        opt.param_groups[0]['lr'] = lr
        w.grad, b.grad = gw[step].clone(), gb[step].clone()
        opt.step()
        d = gw[step] + 0.1 * w0
        d = d * (0.01 * w0.norm() / (d.norm() + 1e-8))
        buf_w = d if buf_w is None else 0.9 * buf_w + d
        w0 = w0 - lr * buf_w
        buf_b = gb[step] if buf_b is None else 0.9 * buf_b + gb[step]
        b0 = b0 - lr * buf_b
    torch.testing.assert_close(w.detach(), w0, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(b.detach(), b0, rtol=1e-12, atol=1e-15)


def test_foreach_default_is_the_loop_on_cpu_and_bad_value_refused():
    assert PixProLARS([nn.Parameter(torch.ones(2, 2))], lr=1.).foreach is None
    with pytest.raises(ValueError, match='foreach'):
        PixProLARS([nn.Parameter(torch.ones(2, 2))], lr=1., foreach='yes')

