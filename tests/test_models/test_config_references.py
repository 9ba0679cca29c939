"""The user's config (``configs/pixpro/pixpro_r50_8xb128.py``), its FPN
variant and PixContrast, built at full width with plain BN on the CPU,
against references that share no code with ``mmpixpro/models``:

- checkpoint keys: the authors' released layout (``tests/released_layout.py``)
  through a prefix map written out here, and mmdet's FPN built alone;
- losses, log keys and gradients: the same parameters run through explicit
  formulas (the projector as conv, batch norm, ReLU, conv) and the loops of
  ``tests/brute_force.py``, differentiated by autograd.

A restructuring of the models package must leave all of this unchanged.
"""
import copy
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS
from mmpixpro.utils import syncbn_to_bn
from tests import brute_force
from tests.utils import REPO
from tests.released_layout import released_checkpoint

USER_CONFIG = osp.join(REPO, 'configs', 'pixpro', 'pixpro_r50_8xb128.py')
FPN_CONFIG = osp.join(REPO, 'configs', 'pixpro', 'pixpro_r50-fpn_8xb128.py')
PIXCONTRAST_CONFIG = osp.join(REPO, 'configs', 'pixcontrast',
                              'pixcontrast_r50_8xb128.py')

# The first name of a released key -> ours.
RELEASED_TO_OURS = dict(
    encoder='backbone',
    encoder_k='target_net.module.backbone',
    projector='neck',
    projector_k='target_net.module.neck',
    projector_instance='instance_neck',
    projector_instance_k='target_net.module.instance_neck',
    value_transform='head.predictor.value_transform',
    predictor='instance_head.predictor')
# Two images; view 2 of the first is flipped (x1 > x2).
BOXES = torch.tensor([[[0.1, 0.1, 0.8, 0.8], [0.7, 0.2, 0.2, 0.9]],
                      [[0.0, 0.3, 0.6, 1.0], [0.2, 0.0, 0.9, 0.7]]])


def model_cfg(config, **overrides):
    cfg = syncbn_to_bn(copy.deepcopy(Config.fromfile(config).model))
    cfg.update(overrides)
    return cfg


def build(cfg):
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    with torch.no_grad():  # online and target differ
        for p in model.parameters():
            p.add_(0.02 * torch.randn_like(p))
    return model.train()


def released_keys(instance=False, value_transform=True):
    """Our state-dict keys of the released checkpoint, by the name map."""
    keys = {'target_net.steps'}
    for key in released_checkpoint(instance=instance)['model']:
        key = key[len('module.'):]
        if key.split('.')[1] == 'fc' or (not value_transform and
                                          key.startswith('value_transform')):
            continue
        first, rest = key.split('.', 1)
        keys.add(f'{RELEASED_TO_OURS[first]}.{rest}')
    return keys


def views(size, n=2):
    g = torch.Generator().manual_seed(1)
    inputs = [torch.randn(n, 3, size, size, generator=g) for _ in range(2)]
    samples = []
    for boxes in BOXES[:n]:
        sample = DataSample()
        sample.set_field(boxes.clone(), 'coord')
        samples.append(sample)
    return inputs, samples


def projector(params, prefix, x):
    """The per-pixel MLP from its parameters: conv, BN (batch statistics),
    ReLU, conv."""
    p = {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
    x = F.conv2d(x, p['linear1.weight'], p['linear1.bias'])
    x = F.batch_norm(x, None, None, p['bn1.weight'], p['bn1.bias'],
                     training=True, eps=1e-5)
    return F.conv2d(F.relu(x), p['linear2.weight'], p['linear2.bias'])


def ppm_by_loops(params, x, gamma=2., clamp_min=0.):
    """The PPM of every image by ``brute_force.propagate``, with the
    1-layer value transform ``g(v) = W v + b``."""
    w = params['head.predictor.value_transform.weight'][:, :, 0, 0]
    b = params['head.predictor.value_transform.bias']
    return torch.stack([
        brute_force.propagate(img.double(), lambda v: w.double() @ v +
                              b.double(), gamma, clamp_min) for img in x
    ])


def pyramid(model, net, prefix, view):
    """The projected loss levels of ``net`` (the model or its target copy):
    C5 alone, or the FPN outputs in ``model.levels``."""
    feats = net.backbone(view)
    maps = ([feats[-1]] if not hasattr(net, 'fpn') else
            [net.fpn(feats)[i] for i in model.levels])
    params = dict(net.named_parameters())
    return [projector(params, prefix, m) for m in maps]


def reference_losses(model, inputs):
    """Per level, both directions of the pixel loss by loops, with autograd
    to the online parameters; the target network as the loss left it."""
    params = dict(model.named_parameters())
    online = [pyramid(model, model, 'neck.', v) for v in inputs]
    with torch.no_grad():
        target = [
            pyramid(model, model.target_net.module, 'neck.', v)
            for v in inputs
        ]
    b = BOXES[:inputs[0].shape[0]].double()
    levels = []
    for i in range(len(online[0])):
        pred = [ppm_by_loops(params, online[v][i]) for v in (0, 1)]
        levels.append(
            brute_force.pixel_loss(pred[0], target[1][i].double(), b[:, 0],
                                   b[:, 1], 0.7) +
            brute_force.pixel_loss(pred[1], target[0][i].double(), b[:, 1],
                                   b[:, 0], 0.7))
    return levels


def grads_of(model, loss):
    model.zero_grad()
    loss.backward()
    return {k: p.grad.clone() for k, p in model.named_parameters()
            if p.grad is not None}


def assert_grads_close(got, expected):
    """Each gradient to 1e-4 of its own largest entry; gradients that are 0
    in exact arithmetic (a bias before batch norm) to 1e-6 of the largest
    entry of all."""
    assert got.keys() == expected.keys()
    overall = max(e.abs().max().item() for e in expected.values())
    for k, g in got.items():
        scale = expected[k].abs().max().item()
        torch.testing.assert_close(
            g.double(), expected[k].double(), rtol=1e-3,
            atol=1e-4 * scale + 1e-6 * overall, msg=lambda m: f'{k}: {m}')


@pytest.mark.parametrize('instance', [False, True])
def test_user_config_keys_are_the_released_layout(instance):
    cfg = model_cfg(USER_CONFIG, instance_loss_weight=float(instance))
    keys = set(MODELS.build(cfg).state_dict())
    assert keys == released_keys(instance=instance)


def test_fpn_config_keys_are_the_plain_ones_and_the_fpn(max_iters):
    cfg = model_cfg(FPN_CONFIG)
    fpn_keys = set(MODELS.build(copy.deepcopy(cfg.fpn)).state_dict())
    expected = released_keys() | {
        prefix + k
        for k in fpn_keys for prefix in ('fpn.', 'target_net.module.fpn.')
    }
    assert set(MODELS.build(cfg).state_dict()) == expected


def test_pixcontrast_config_keys_are_the_released_encoder():
    keys = set(MODELS.build(model_cfg(PIXCONTRAST_CONFIG)).state_dict())
    assert keys == released_keys(value_transform=False)


def test_user_config_loss_log_keys_and_gradients(max_iters):
    model = build(model_cfg(USER_CONFIG))
    inputs, samples = views(64)  # 2 x 2 maps
    losses = model.loss(inputs, samples)
    total, log_vars = model.parse_losses(losses)
    assert list(losses) == ['loss_pixel']
    assert set(log_vars) == {'loss', 'loss_pixel'}
    got = grads_of(model, total)

    (expected, ) = reference_losses(model, inputs)
    torch.testing.assert_close(losses['loss_pixel'].double(),
                               expected.detach(), rtol=1e-5, atol=1e-6)
    assert_grads_close(got, grads_of(model, expected))
    assert not any(k.startswith('target_net') for k in got)


def test_fpn_config_loss_log_keys_and_gradients(max_iters):
    cfg = model_cfg(FPN_CONFIG)
    # The config chunks the loss and the PPM by 1024 rows, one block at the
    # sizes below: 7 takes several, the last one short.
    assert cfg.head.chunk_size == 1024
    cfg.head.chunk_size = 7
    model = build(cfg)
    inputs, samples = views(16)  # P2-P5: 4 x 4, 2 x 2, 1 x 1, 1 x 1
    losses = model.loss(inputs, samples)
    total, log_vars = model.parse_losses(losses)
    names = ('pixel_p2', 'pixel_p3', 'pixel_p4', 'pixel_p5')
    assert list(losses) == ['loss_pixel', *names]
    assert set(log_vars) == {'loss', 'loss_pixel', *names}
    got = grads_of(model, total)

    levels = reference_losses(model, inputs)
    for name, level in zip(names, levels):
        torch.testing.assert_close(losses[name].double(), level.detach(),
                                   rtol=1e-5, atol=1e-6)
    expected = sum(level / 4 for level in levels)  # equal weights
    torch.testing.assert_close(losses['loss_pixel'].double(),
                               expected.detach(), rtol=1e-5, atol=1e-6)
    assert_grads_close(got, grads_of(model, expected))


def test_pixcontrast_config_loss_and_gradients(max_iters):
    cfg = model_cfg(PIXCONTRAST_CONFIG)
    cfg.head.chunk_size = 4  # three blocks of a 3 x 3 map
    model = build(cfg)
    inputs, samples = views(96)  # 3 x 3 maps
    losses = model.loss(inputs, samples)
    total, log_vars = model.parse_losses(losses)
    assert set(log_vars) == {'loss', 'loss_pixcontrast'}
    got = grads_of(model, total)

    online = [pyramid(model, model, 'neck.', v)[0] for v in inputs]
    with torch.no_grad():
        target = [pyramid(model, model.target_net.module, 'neck.', v)[0]
                  for v in inputs]
    b = BOXES.double()
    expected = (brute_force.pixel_contrast_loss(
        online[0].double(), target[1].double(), b[:, 0], b[:, 1]) +
                brute_force.pixel_contrast_loss(
                    online[1].double(), target[0].double(), b[:, 1],
                    b[:, 0])) / 2
    torch.testing.assert_close(losses['loss_pixcontrast'].double(),
                               expected.detach(), rtol=1e-5, atol=1e-6)
    assert_grads_close(got, grads_of(model, expected))
