"""The speed levers change no value: channels_last against the contiguous
layout, the fp32 islands under autocast against fp32, and the released
R50 model (as the user's config builds it, levers on) against the loops of
tests/brute_force.py."""
import copy
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmpretrain.structures import DataSample

from mmpixpro.models import PPM, PixProHead
from mmpixpro.registry import MODELS
from tests import brute_force
from tests.utils import REPO
from tests.test_models.test_pixpro import small_model_cfg

USER_CONFIG = osp.join(REPO, 'configs', 'pixpro', 'pixpro_r50_8xb128.py')


def views_and_samples(n=2, size=96, seed=0):
    gen = torch.Generator().manual_seed(seed)
    inputs = [torch.randn(n, 3, size, size, generator=gen) for _ in range(2)]
    boxes = [[[0.1, 0.1, 0.8, 0.8], [0.7, 0.2, 0.2, 0.9]],  # flipped view 2
             [[0.0, 0.3, 0.6, 1.0], [0.2, 0.0, 0.9, 0.7]]]
    samples = []
    for i in range(n):
        s = DataSample()
        s.set_field(torch.tensor(boxes[i % 2]), 'coord')
        samples.append(s)
    return inputs, samples


def assert_grad_close(got, expected, rel, name):
    """Close to ``rel`` of the expected gradient's largest entry, with a
    floor of 1e-3 for that scale: a bias just before a BN has a gradient
    that is 0 in exact arithmetic and round-off (about 1e-8) in fp32."""
    scale = max(expected.abs().max().item(), 1e-3)
    torch.testing.assert_close(got, expected, rtol=0, atol=rel * scale,
                               msg=name)


def four_d_tensors(model):
    return [(k, v) for k, v in model.state_dict().items() if v.dim() == 4]


def test_user_config_turns_channels_last_on():
    assert Config.fromfile(USER_CONFIG).model.channels_last is True


def test_channels_last_same_loss_and_gradients(max_iters):
    torch.manual_seed(0)
    plain = MODELS.build(small_model_cfg(channels_last=False))
    plain.init_weights()
    fast = MODELS.build(small_model_cfg(channels_last=True))
    fast.init_weights()
    fast.load_state_dict(plain.state_dict())
    # Every 4-D tensor, online and target, is NHWC, and stays so after a
    # load (load_state_dict copies into the existing tensors).
    tensors = four_d_tensors(fast)
    assert any(k.startswith('target_net.') for k, _ in tensors)
    assert all(
        v.is_contiguous(memory_format=torch.channels_last)
        and not v.is_contiguous() for _, v in tensors if v.shape[-1] > 1)
    inputs, samples = views_and_samples()
    losses = [
        model.loss([v.clone() for v in inputs], samples)['loss_pixel']
        for model in (plain, fast)
    ]
    for model, loss in zip((plain, fast), losses):
        loss.backward()
    torch.testing.assert_close(losses[1], losses[0], rtol=1e-5, atol=1e-6)
    grads = dict(plain.named_parameters())
    checked = 0
    for name, p in fast.named_parameters():
        ref = grads[name].grad
        if ref is None:
            assert p.grad is None, name
            continue
        assert_grad_close(p.grad, ref, 1e-4, name)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_ppm_similarity_power_and_sums_in_fp32_under_autocast(dtype):
    torch.manual_seed(0)
    # Identity value transform: everything left runs in the fp32 island.
    ppm = PPM(channels=32, gamma=2.0, num_transform_layers=0)
    x = torch.randn(2, 32, 5, 5)
    expected = ppm(x)
    with torch.autocast('cpu', dtype=dtype):
        got = ppm(x)
        sim = ppm.similarity(x)
    assert got.dtype == sim.dtype == torch.float32
    # A bf16 cosine alone is off by about 1e-2; fp32 round-off is 1e-6.
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)
    torch.testing.assert_close(sim, ppm.similarity(x), rtol=0, atol=1e-6)


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
@pytest.mark.parametrize('chunk_size', [None, 7])
def test_pixel_loss_in_fp32_under_autocast(dtype, chunk_size):
    torch.manual_seed(0)
    head = PixProHead(
        predictor=dict(type='PPM', channels=32, num_transform_layers=0),
        chunk_size=chunk_size)
    online, target = torch.randn(2, 32, 4, 4), torch.randn(2, 32, 5, 5)
    boxes_a = torch.tensor([[0.1, 0.1, 0.8, 0.8], [0.0, 0.3, 0.6, 1.0]])
    boxes_b = torch.tensor([[0.7, 0.2, 0.2, 0.9], [0.2, 0.0, 0.9, 0.7]])
    with torch.autocast('cpu', dtype=dtype):
        got = head.loss(online, target, boxes_a, boxes_b)
    assert got.dtype == torch.float32
    pred = brute_force_ppm(online, head.predictor)
    expected = brute_force.pixel_loss(pred, target, boxes_a, boxes_b, 0.7)
    torch.testing.assert_close(got, expected.float(), rtol=0, atol=1e-5)


def brute_force_ppm(x, ppm, value_fn=lambda p: p):
    return torch.stack([
        brute_force.propagate(x[b], value_fn, ppm.gamma, ppm.clamp_min)
        for b in range(x.shape[0])
    ])


def conv_projector(projector, x):
    """The projector through ``F.conv2d`` on its 1x1 weights (the second
    code path for ``PointwiseConv2d``)."""
    l1, l2 = projector.linear1, projector.linear2
    x = F.relu(projector.bn1(F.conv2d(x, l1.weight, l1.bias)), inplace=False)
    return F.conv2d(x, l2.weight, l2.bias)


def test_user_config_model_equals_brute_force(max_iters):
    """The model the user's config builds (ResNet-50, channels_last, linear
    projector, chunking off) on given weights, views and boxes: its loss and
    every online gradient equal those of the loops in tests/brute_force.py,
    run on a contiguous copy of the same weights through Conv2d forwards."""
    cfg = Config.fromfile(USER_CONFIG).model
    assert cfg.channels_last
    torch.manual_seed(0)
    model = revert_sync_batchnorm(MODELS.build(copy.deepcopy(cfg)))
    model.init_weights()
    ref = revert_sync_batchnorm(
        MODELS.build(dict(copy.deepcopy(cfg), channels_last=False)))
    ref.load_state_dict(model.state_dict())
    inputs, samples = views_and_samples(n=2, size=64)
    boxes = torch.stack([s.coord for s in samples])

    loss = model.loss([v.clone() for v in inputs], samples)['loss_pixel']
    loss.backward()

    # The target equals the online network at the first step.
    online = [conv_projector(ref.neck, ref.backbone(v)[-1]) for v in inputs]
    with torch.no_grad():
        target = [conv_projector(ref.neck, ref.backbone(v)[-1])
                  for v in inputs]
    transform = ref.head.predictor.value_transform

    def value_fn(p):  # the PPM's 1x1 conv on one pixel
        return transform.weight[:, :, 0, 0] @ p + transform.bias

    pred = [brute_force_ppm(o, ref.head.predictor, value_fn) for o in online]
    t = ref.head.pos_threshold
    expected = (brute_force.pixel_loss(pred[0], target[1], boxes[:, 0],
                                       boxes[:, 1], t) +
                brute_force.pixel_loss(pred[1], target[0], boxes[:, 1],
                                       boxes[:, 0], t))
    expected.backward()
    torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-5)
    refs = dict(ref.named_parameters())
    checked = 0
    for name, p in model.named_parameters():
        if name.startswith('target_net.') or p.grad is None:
            continue
        assert_grad_close(p.grad, refs[name].grad, 2e-3, name)
        checked += 1
    assert checked == sum(1 for n, p in ref.named_parameters()
                          if p.requires_grad and not n.startswith('target'))
