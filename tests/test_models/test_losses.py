"""The registered pixel losses, built from config dicts as the heads build
them, against the loops of tests/brute_force.py; the heads' own options
(``pos_threshold``, ``chunk_size``, ``temperature``) reach their loss."""
import pytest
import torch

from mmpixpro.models import PixContrastHead, PixProHead
from mmpixpro.registry import MODELS
from tests.brute_force import pixel_contrast_loss, pixel_loss
from tests.test_models.test_pixpro_head import boxes_pair


def features(size_a=(4, 4), size_b=(3, 5)):
    g = torch.Generator().manual_seed(0)
    pred = torch.randn(3, 8, *size_a, dtype=torch.double, generator=g)
    target = torch.randn(3, 8, *size_b, dtype=torch.double, generator=g)
    return pred, target


@pytest.mark.parametrize('chunk_size', [None, 5])
@pytest.mark.parametrize('threshold', [0.7, 1.3])
def test_consistency_loss_matches_pixel_loop(chunk_size, threshold):
    loss = MODELS.build(
        dict(type='PixelConsistencyLoss', pos_threshold=threshold,
             chunk_size=chunk_size))
    pred, target = features()
    a, b = boxes_pair()
    torch.testing.assert_close(
        loss(pred, target, a, b), pixel_loss(pred, target, a, b, threshold))


@pytest.mark.parametrize('chunk_size', [None, 5])
def test_contrast_loss_matches_pixel_loop(chunk_size):
    loss = MODELS.build(
        dict(type='PixelContrastLoss', temperature=0.2, pos_threshold=1.1,
             chunk_size=chunk_size))
    online, target = features()
    a, b = boxes_pair()
    torch.testing.assert_close(
        loss(online, target, a, b),
        pixel_contrast_loss(online, target, a, b, 0.2, 1.1))


def test_head_options_reach_the_loss():
    head = PixProHead(predictor=dict(type='PPM', channels=8),
                      pos_threshold=1.3, chunk_size=5)
    assert (head.loss_module.pos_threshold, head.loss_module.chunk_size,
            head.predictor.chunk_size) == (1.3, 5, 5)
    # Or set on the loss itself.
    head = PixProHead(
        predictor=dict(type='PPM', channels=8),
        loss=dict(type='PixelConsistencyLoss', pos_threshold=1.3))
    assert head.pos_threshold == 1.3 and head.predictor.chunk_size is None
    head = PixContrastHead(temperature=0.2, pos_threshold=1.1, chunk_size=3)
    assert (head.loss_module.temperature, head.loss_module.pos_threshold,
            head.loss_module.chunk_size) == (0.2, 1.1, 3)


@pytest.mark.parametrize('build', [
    lambda: PixProHead(
        predictor=dict(type='PPM', channels=8), pos_threshold=0.5,
        loss=dict(type='PixelConsistencyLoss', pos_threshold=0.7)),
    lambda: PixContrastHead(
        chunk_size=4, loss=dict(type='PixelContrastLoss', chunk_size=8)),
])
def test_an_option_set_on_head_and_loss_differently_is_refused(build):
    with pytest.raises(ValueError, match='set on the head .* and on its loss'):
        build()


@pytest.mark.parametrize('cfg,option', [
    (dict(type='PixelConsistencyLoss', pos_threshold=0.), 'pos_threshold'),
    (dict(type='PixelConsistencyLoss', chunk_size=0), 'chunk_size'),
    (dict(type='PixelContrastLoss', temperature=-1.), 'temperature'),
    (dict(type='PixelContrastLoss', chunk_size=1.5), 'chunk_size'),
])
def test_invalid_loss_options_name_themselves(cfg, option):
    with pytest.raises(ValueError, match=f'{cfg["type"]}: {option}'):
        MODELS.build(cfg)
