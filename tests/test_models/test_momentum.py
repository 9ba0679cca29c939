import math

import pytest
import torch
import torch.nn as nn

from mmpixpro.models import CosineMomentumEMA


def small_net():
    return nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4))


@pytest.mark.parametrize('k', [0, 1, 50, 99, 100])
def test_schedule_matches_formula(k):
    ema = CosineMomentumEMA(small_net(), base_momentum=0.99, max_iters=100)
    expected = 1 - (1 - 0.99) * (math.cos(math.pi * k / 100) + 1) / 2
    assert ema.momentum(k) == pytest.approx(expected, abs=1e-15)
    assert ema.momentum(0) == pytest.approx(0.99)
    assert ema.momentum(100) == pytest.approx(1.0)


def test_update_averages_parameters_only():
    torch.manual_seed(0)
    online = small_net()
    ema = CosineMomentumEMA(online, base_momentum=0.9, max_iters=10)
    # Make target and online differ, including BN running statistics.
    with torch.no_grad():
        for p in online.parameters():
            p.add_(torch.randn_like(p))
        online[1].running_mean.fill_(3.)
    before = {k: v.clone() for k, v in ema.module.state_dict().items()}
    for step in range(3):
        tau = 1 - 0.1 * (math.cos(math.pi * step / 10) + 1) / 2
        expected = {
            k: tau * before[k] + (1 - tau) * v
            for k, v in online.named_parameters()
        }
        ema.update_parameters(online)
        for k, p in ema.module.named_parameters():
            torch.testing.assert_close(p, expected[k])
        before = {k: v.clone() for k, v in ema.module.state_dict().items()}
    # The first update averaged (no copy), and buffers stayed the target's.
    assert not torch.equal(ema.module[0].weight, online[0].weight)
    assert torch.equal(ema.module[1].running_mean, torch.zeros(4))
    assert int(ema.steps) == 3


def test_step_counter_survives_a_checkpoint():
    ema = CosineMomentumEMA(small_net(), max_iters=10)
    for _ in range(4):
        ema.update_parameters(small_net())
    restored = CosineMomentumEMA(small_net(), max_iters=10)
    restored.load_state_dict(ema.state_dict())
    assert int(restored.steps) == 4
    assert restored.momentum(int(restored.steps)) == ema.momentum(4)


def test_copy_from_copies_parameters_and_buffers():
    online = small_net()
    ema = CosineMomentumEMA(small_net())
    ema.copy_from(online)
    for (k, a), b in zip(ema.module.state_dict().items(),
                         online.state_dict().values()):
        assert torch.equal(a, b), k


def test_needs_total_iterations_outside_a_runner():
    ema = CosineMomentumEMA(small_net())
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('test_momentum_no_max_iters')
    hub.runtime_info.pop('max_iters', None)
    with pytest.raises(RuntimeError, match='max_iters'):
        ema.update_parameters(small_net())


def test_avg_func_per_tensor_and_per_list():
    """``avg_func`` keeps mmengine's per-tensor contract, and the list form
    that ``update_parameters`` uses gives the same bits."""
    ema = CosineMomentumEMA(small_net(), base_momentum=0.9, max_iters=10)
    torch.manual_seed(0)
    avg = [torch.randn(4, 3), torch.randn(5)]
    src = [torch.randn(4, 3), torch.randn(5)]
    tau = 1 - 0.1 * (math.cos(math.pi * 3 / 10) + 1) / 2
    one_by_one = [a.clone() for a in avg]
    for got, a, s in zip(one_by_one, avg, src):
        ema.avg_func(got, s, 3)
        torch.testing.assert_close(got, tau * a + (1 - tau) * s)
    as_list = [a.clone() for a in avg]
    ema.avg_func(as_list, src, 3)
    assert all(torch.equal(a, b) for a, b in zip(as_list, one_by_one))
