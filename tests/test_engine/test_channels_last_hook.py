"""ChannelsLastHook: every 4-D weight of any model in channels_last, the
parameters kept, a step equal to the contiguous model's."""
import copy
import os.path as osp
from types import SimpleNamespace

import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmpixpro.registry import HOOKS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BYOL = osp.join(REPO, 'configs', 'byol',
                'byol_resnet18-w16_1xb32-bf16-1800it_scenes.py')


def byol_model():
    """mmpretrain's BYOL of the main job (not ours: the hook is for any
    model), with its data preprocessor."""
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(BYOL).model)


def four_d(model):
    return [(k, t) for k, t in list(model.named_parameters()) +
            list(model.named_buffers()) if t.dim() == 4]


def views(seed=1, n=8, size=32):
    """Pairs of smooth images, each its own (4x4 colour noise upsampled).
    Pixel noise would not do: its pooled features are nearly equal across
    the batch, and the neck's BN1d then divides by a variance near 0, which
    turns fp32 rounding into gradient errors of tens of percent in any
    layout."""
    g = torch.Generator().manual_seed(seed)
    low = torch.rand(n, 2, 3, 4, 4, generator=g)
    images = F.interpolate(low.flatten(0, 1), size=size, mode='bilinear')
    images = (images * 255).to(torch.uint8).unflatten(0, (n, 2))
    return [list(pair) for pair in images]


def loss_and_grads(model, inputs, dtype=torch.float32):
    from mmpretrain.structures import DataSample
    data = dict(inputs=[torch.stack([v[i] for v in inputs])
                        for i in range(2)],
                data_samples=[DataSample() for _ in inputs])
    data = model.data_preprocessor(data, True)
    data['inputs'] = [x.to(dtype) for x in data['inputs']]
    model.zero_grad()
    losses = model(**data, mode='loss')
    loss = sum(losses.values())
    loss.backward()
    return loss.detach().double(), {
        k: p.grad.double()
        for k, p in model.named_parameters() if p.grad is not None
    }


def test_every_4d_weight_channels_last_parameters_kept():
    model = byol_model()
    before = {k: (p, p.detach().clone()) for k, p in model.named_parameters()}
    assert four_d(model)
    assert not any(
        t.is_contiguous(memory_format=torch.channels_last)
        and not t.is_contiguous() for _, t in four_d(model))
    hook = HOOKS.build(dict(type='ChannelsLastHook'))
    hook.before_train(SimpleNamespace(model=model))
    for name, t in four_d(model):
        assert t.is_contiguous(memory_format=torch.channels_last), name
        if t.shape[2:] != (1, 1):  # a 1x1 weight is both layouts
            assert not t.is_contiguous(), name
    # The same Parameter objects (an optimizer built before holds them),
    # with the same values; the target network's copy converted too.
    for name, p in model.named_parameters():
        assert p is before[name][0], name
        torch.testing.assert_close(p.detach(), before[name][1],
                                   rtol=0, atol=0)
    target = model.target_net.module[0].conv1.weight
    assert target.is_contiguous(memory_format=torch.channels_last)


def test_step_equals_the_contiguous_models():
    """The loss and every gradient equal those of an untouched copy run in
    float64 (another kernel path), to fp32 rounding."""
    plain = byol_model()
    hooked = copy.deepcopy(plain)
    HOOKS.build(dict(type='ChannelsLastHook')).before_train(
        SimpleNamespace(model=hooked))
    inputs = views()
    loss_a, grads_a = loss_and_grads(plain.double(), inputs, torch.float64)
    loss_b, grads_b = loss_and_grads(hooked, inputs)
    torch.testing.assert_close(loss_b, loss_a, rtol=1e-5, atol=1e-6)
    assert grads_a.keys() == grads_b.keys() and len(grads_a) > 60
    for name in grads_a:
        scale = float(grads_a[name].abs().max().clamp_min(1e-3))
        torch.testing.assert_close(grads_b[name], grads_a[name], rtol=0,
                                   atol=1e-3 * scale, msg=name)


def test_checkpoint_loads_keep_the_layout():
    """A contiguous state dict (an older checkpoint, or a resume) loads
    into the converted model in place: values arrive, layout stays."""
    model = byol_model()
    HOOKS.build(dict(type='ChannelsLastHook')).before_train(
        SimpleNamespace(model=model))
    torch.manual_seed(5)
    other = MODELS.build(Config.fromfile(BYOL).model)
    state = {k: v.contiguous() for k, v in other.state_dict().items()}
    model.load_state_dict(state)
    for name, t in four_d(model):
        assert t.is_contiguous(memory_format=torch.channels_last), name
        torch.testing.assert_close(t, state[name], rtol=0, atol=0)
