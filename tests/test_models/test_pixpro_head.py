import pytest
import torch

from mmpixpro.models import PixProHead
from tests.brute_force import pixel_loss


def make_head(**ppm):
    ppm = dict(type='PPM', channels=8, **ppm)
    return PixProHead(predictor=ppm).double()


def boxes_pair():
    # image 0: overlapping views, view b flipped; image 1: both flipped;
    # image 2: views that do not overlap at all.
    a = torch.tensor([[0.1, 0.1, 0.7, 0.8], [0.9, 0.0, 0.3, 0.6],
                      [0.0, 0.0, 0.3, 0.3]], dtype=torch.double)
    b = torch.tensor([[0.8, 0.2, 0.3, 0.9], [0.6, 0.1, 0.2, 0.5],
                      [0.6, 0.6, 0.9, 0.9]], dtype=torch.double)
    return a, b


@pytest.mark.parametrize('ppm', [dict(), dict(gamma=1., clamp_min=-1.),
                                 dict(num_transform_layers=0)])
def test_loss_matches_pairwise_loop(ppm):
    torch.manual_seed(0)
    head = make_head(**ppm)
    online = torch.randn(3, 8, 4, 4, dtype=torch.double)
    target = torch.randn(3, 8, 4, 4, dtype=torch.double)
    a, b = boxes_pair()
    loss = head.loss(online, target, a, b)
    expected = pixel_loss(head.predictor(online), target, a, b, 0.7)
    torch.testing.assert_close(loss, expected)
    assert -2 <= loss.item() <= 2


def test_non_overlapping_views_contribute_zero_and_stay_finite():
    torch.manual_seed(0)
    head = make_head()
    online = torch.randn(2, 8, 3, 3, dtype=torch.double, requires_grad=True)
    target = torch.randn(2, 8, 3, 3, dtype=torch.double)
    a = torch.tensor([[0.0, 0.0, 0.2, 0.2]] * 2, dtype=torch.double)
    b = torch.tensor([[0.7, 0.7, 0.9, 0.9]] * 2, dtype=torch.double)
    loss = head.loss(online, target, a, b)
    loss.backward()
    assert loss.item() == 0
    assert torch.isfinite(online.grad).all()


def test_identical_target_gives_optimum():
    # If the target equals the propagated prediction at every positive pair
    # (same box, each cell paired with itself), the loss is -2.
    torch.manual_seed(0)
    head = make_head()
    online = torch.randn(2, 8, 3, 3, dtype=torch.double)
    box = torch.tensor([[0.1, 0.1, 0.8, 0.8]] * 2, dtype=torch.double)
    target = head.predictor(online).detach()
    loss = head.loss(online, target, box, box)
    torch.testing.assert_close(loss.item(), -2 / (1 + 1e-6 / 9), rtol=0,
                               atol=1e-9)


@pytest.mark.parametrize('t', [0., -0.5])
def test_threshold_must_be_positive(t):
    with pytest.raises(ValueError, match='pos_threshold'):
        PixProHead(predictor=dict(type='PPM', channels=8), pos_threshold=t)
