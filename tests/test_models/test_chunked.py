"""Chunked PPM and pixel loss (``chunk_size``): same numbers as the direct
form, memory linear in pixels."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample

from mmpixpro.models import PPM, PixProHead
from mmpixpro.registry import MODELS
from mmpixpro.utils import saved_tensor_bytes
from tests.brute_force import pixel_loss
from tests.utils import SMALL_CONFIG
from tests.test_models.test_pixpro_head import boxes_pair

HW = 4 * 5  # the maps below are 4 x 5
CHUNKS = [1, 4, 7, HW, 64]  # one row, a divisor, a non-divisor, >= HW


def twins(cls, chunks, **kwargs):
    """A direct module and a chunked one with the same float64 weights."""
    direct = cls(**kwargs).double()
    chunked = cls(**chunks, **kwargs).double()
    chunked.load_state_dict(direct.state_dict())
    return direct, chunked


def run(module, x, *args, fn=None):
    """Output, input gradient and parameter gradients of a sum of squares
    (or of the loss itself when ``fn`` is a head's loss)."""
    x = x.clone().requires_grad_(True)
    out = fn(x, *args) if fn else module(x)
    (out if fn else out.pow(2).sum() + out.sum()).backward()
    grads = {k: p.grad for k, p in module.named_parameters()}
    return out.detach(), x.grad, grads


def assert_same(a, b):
    torch.testing.assert_close(a[0], b[0])
    torch.testing.assert_close(a[1], b[1])
    assert a[2].keys() == b[2].keys()
    for k in a[2]:
        torch.testing.assert_close(a[2][k], b[2][k], msg=k)


@pytest.mark.parametrize('chunk', CHUNKS)
@pytest.mark.parametrize('layers', [0, 1, 2])
@pytest.mark.parametrize('gamma,clamp_min', [(2., 0.), (0.5, 0.), (3., -1.),
                                             (2., 0.3)])
def test_chunked_ppm_matches_direct(chunk, layers, gamma, clamp_min):
    torch.manual_seed(0)
    direct, chunked = twins(
        PPM, dict(chunk_size=chunk), channels=6, gamma=gamma,
        clamp_min=clamp_min, num_transform_layers=layers)
    x = torch.randn(3, 6, 4, 5, dtype=torch.double)
    assert_same(run(chunked, x), run(direct, x))
    with torch.no_grad():  # no checkpointing without gradients
        torch.testing.assert_close(chunked(x), direct(x))


def test_bn_of_the_value_transform_runs_once_per_forward():
    # The 2-layer transform holds a BN in train mode. It runs once on the
    # whole map, outside the checkpointed blocks, so the recomputation in
    # backward does not update its running statistics a second time.
    torch.manual_seed(0)
    direct, chunked = twins(PPM, dict(chunk_size=3), channels=6,
                            num_transform_layers=2)
    calls = []
    chunked.value_transform.bn1.register_forward_hook(
        lambda *_: calls.append(1))
    for step in range(2):
        x = torch.randn(2, 6, 4, 5, dtype=torch.double)
        assert_same(run(chunked, x), run(direct, x))
        assert len(calls) == step + 1
    bn_d, bn_c = direct.value_transform.bn1, chunked.value_transform.bn1
    assert int(bn_c.num_batches_tracked) == 2
    torch.testing.assert_close(bn_c.running_mean, bn_d.running_mean)
    torch.testing.assert_close(bn_c.running_var, bn_d.running_var)


@pytest.mark.parametrize('chunk', CHUNKS)
@pytest.mark.parametrize('layers', [0, 1, 2])
def test_chunked_loss_matches_direct(chunk, layers):
    torch.manual_seed(0)
    ppm = dict(type='PPM', channels=6, num_transform_layers=layers)
    direct = PixProHead(predictor=ppm).double()
    chunked = PixProHead(
        predictor=dict(ppm, chunk_size=chunk), chunk_size=chunk).double()
    chunked.load_state_dict(direct.state_dict())
    online = torch.randn(3, 6, 4, 5, dtype=torch.double)
    target = torch.randn(3, 6, 3, 4, dtype=torch.double)
    boxes = boxes_pair()
    got = run(chunked, online, target, *boxes, fn=chunked.loss)
    assert_same(got, run(direct, online, target, *boxes, fn=direct.loss))
    if chunk == 7 and layers == 1:  # and against the loops, once
        expected = pixel_loss(direct.predictor(online), target, *boxes, 0.7)
        torch.testing.assert_close(got[0], expected.detach())


def test_chunked_loss_of_views_that_do_not_overlap_is_zero():
    torch.manual_seed(0)
    head = PixProHead(
        predictor=dict(type='PPM', channels=6, chunk_size=4),
        chunk_size=4).double()
    online = torch.randn(2, 6, 3, 3, dtype=torch.double, requires_grad=True)
    target = torch.randn(2, 6, 3, 3, dtype=torch.double)
    a = torch.tensor([[0.0, 0.0, 0.2, 0.2]] * 2, dtype=torch.double)
    b = torch.tensor([[0.9, 0.7, 0.7, 0.9]] * 2, dtype=torch.double)  # flip
    loss = head.loss(online, target, a, b)
    loss.backward()
    assert loss.item() == 0
    assert torch.count_nonzero(online.grad) == 0


def test_chunked_loss_keeps_fp32_sums_under_autocast():
    torch.manual_seed(0)
    head = PixProHead(predictor=dict(type='PPM', channels=16, chunk_size=5),
                      chunk_size=5)
    direct = PixProHead(predictor=dict(type='PPM', channels=16))
    direct.load_state_dict(head.state_dict())
    online, target = torch.randn(2, 2, 16, 6, 6)
    a, b = (box[:2].float() for box in boxes_pair())
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = head.loss(online, target, a, b)
    assert loss.dtype == torch.float32
    # bf16 keeps 8 bits of mantissa: the PPM's own bmm rounds to ~4e-3.
    torch.testing.assert_close(
        loss, direct.loss(online, target, a, b), rtol=0, atol=2e-2)


@pytest.mark.parametrize('value', [0, -256, 2.5, True, '256'])
@pytest.mark.parametrize('cls', [PPM, PixProHead])
def test_invalid_chunk_size_names_itself(cls, value):
    with pytest.raises(ValueError, match=f'{cls.__name__}: chunk_size'):
        cls(chunk_size=value)


def test_chunk_sizes_from_the_model_config(max_iters):
    # head=dict(chunk_size=...) chunks the loss and the PPM (one setting);
    # a PixPro built so computes the loss of the unchunked model.
    cfg = copy.deepcopy(Config.fromfile(SMALL_CONFIG).model)
    assert 'chunk_size' not in cfg.head.predictor
    models = []
    for chunk in (None, 3):
        cfg.head.chunk_size = chunk
        torch.manual_seed(0)
        models.append(MODELS.build(cfg))
        models[-1].init_weights()
    assert models[0].head.predictor.chunk_size is None
    head = models[1].head
    assert head.chunk_size == head.predictor.chunk_size == 3
    torch.manual_seed(1)
    inputs = [torch.randn(2, 3, 96, 96) for _ in range(2)]  # 3 x 3 maps
    samples = [DataSample() for _ in range(2)]
    for s in samples:
        s.set_field(torch.tensor([[0.1, 0.1, 0.8, 0.8], [0.7, 0.2, 0.2, 0.9]]),
                    'coord')
    direct, chunked = (m.loss(inputs, samples)['loss_pixel'] for m in models)
    torch.testing.assert_close(chunked, direct)


def saved_bytes(fn):
    """Bytes of the distinct storages autograd keeps for backward of fn()."""
    return saved_tensor_bytes(fn)[1]


@pytest.mark.parametrize('what', ['ppm', 'head'])
def test_memory_kept_for_backward_is_linear_in_pixels(what):
    torch.manual_seed(0)
    chunked = PixProHead(predictor=dict(type='PPM', channels=8,
                                        chunk_size=64), chunk_size=64)
    direct = PixProHead(predictor=dict(type='PPM', channels=8))
    box = torch.tensor([[0.1, 0.1, 0.8, 0.8]])
    flipped = box[:, [2, 1, 0, 3]]
    sizes = {}
    for side in (14, 28, 56):
        x = torch.randn(1, 8, side, side, requires_grad=True)
        t = torch.randn(1, 8, side, side)
        for name, head in (('direct', direct), ('chunked', chunked)):
            fn = (lambda: head.predictor(x)) if what == 'ppm' else (
                lambda: head.loss(x, t, box, flipped))
            sizes.setdefault(name, []).append(saved_bytes(fn))
    # Each doubling of the side has 4x the pixels: x16 pairs.
    for name, low, high in (('direct', 12, 16.5), ('chunked', 3.5, 4.5)):
        growth = [b / a for a, b in zip(sizes[name], sizes[name][1:])]
        assert all(low < g < high for g in growth), (name, sizes[name])
    assert sizes['chunked'][-1] * 50 < sizes['direct'][-1]
