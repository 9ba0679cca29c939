import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmpretrain.structures import DataSample

from mmpixpro.models import EncoderOutput
from mmpixpro.registry import MODELS
from tests.utils import SMALL_CONFIG


def small_model_cfg(**overrides):
    """The small config's model, with ``overrides`` on top."""
    cfg = copy.deepcopy(Config.fromfile(SMALL_CONFIG).model)
    cfg.update(overrides)
    return cfg


def batch(n=2, size=64):
    inputs = [torch.randn(n, 3, size, size) for _ in range(2)]
    samples = []
    for i in range(n):
        s = DataSample()
        s.set_field(torch.tensor([[0.1, 0.1, 0.8, 0.8],
                                  [0.7, 0.2, 0.2, 0.9]]), 'coord')
        samples.append(s)
    return inputs, samples


def test_loss_and_target_update(max_iters):
    torch.manual_seed(0)
    model = MODELS.build(small_model_cfg())
    model.init_weights()
    online = model.online_encoder()
    for (k, t), o in zip(model.target_net.module.state_dict().items(),
                         online.state_dict().values()):
        assert torch.equal(t, o), f'target {k} is not a copy after init'
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_pixel'}
    assert torch.isfinite(losses['loss_pixel'])
    assert -4 <= losses['loss_pixel'].item() <= 4
    assert int(model.target_net.steps) == 1
    losses['loss_pixel'].backward()
    assert model.head.predictor.value_transform.weight.grad is not None
    assert all(p.grad is None for p in model.target_net.parameters())


def test_instance_branch(max_iters):
    torch.manual_seed(0)
    model = MODELS.build(small_model_cfg(instance_loss_weight=0.5))
    model.init_weights()
    losses = model.loss(*batch())
    assert set(losses) == {'loss_pixel', 'loss_instance'}
    # -2 <= per-direction instance loss <= 2, two directions, weight 0.5.
    assert -2 <= losses['loss_instance'].item() <= 2
    assert hasattr(model.target_net.module, 'instance_neck')
    assert not hasattr(MODELS.build(small_model_cfg()), 'instance_neck')


def test_instance_loss_is_weighted_and_crosses_the_views(max_iters):
    """``loss_instance == lambda * (head(online_1, target_2) +
    head(online_2, target_1))`` through the real ``PixPro.loss``, with the
    right side computed here from the modules: per-pixel predictor, average
    pool, cosine. Eval mode, so every BN normalises each sample by its
    running statistics and the outputs do not depend on how the model
    batches the views."""
    lam = 0.3
    torch.manual_seed(0)
    model = MODELS.build(small_model_cfg(instance_loss_weight=lam))
    model.init_weights()
    with torch.no_grad():  # online and target differ
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    model.eval()
    inputs, samples = batch(n=3)
    inputs = [inputs[0], 0.5 * inputs[1].flip(-1) + 0.3]
    got = model.loss(inputs, samples)['loss_instance']

    target = model.target_net.module  # as updated by the loss above

    def instance(backbone, neck, view):
        return neck(backbone(view)[-1])

    def head(online, tgt):
        pred = model.instance_head.predictor(online).mean((2, 3))
        cos = F.cosine_similarity(pred, tgt.mean((2, 3)), dim=1)
        return -2 * cos.mean()

    with torch.no_grad():
        o1, o2 = (instance(model.backbone, model.instance_neck, v)
                  for v in inputs)
        t1, t2 = (instance(target.backbone, target.instance_neck, v)
                  for v in inputs)
        crossed = head(o1, t2) + head(o2, t1)
        own_views = head(o1, t1) + head(o2, t2)
    torch.testing.assert_close(got.detach(), lam * crossed)
    # The test has power: an unweighted loss, or each view paired with its
    # own target, is far from the value above.
    assert abs(crossed - lam * crossed) > 1e-3
    assert abs(lam * own_views - lam * crossed) > 1e-3


def test_encoder_names_its_outputs_and_optional_modules():
    """Plain PixPro is one loss level: ``pixels`` holds the projected C5
    alone; ``instance`` is the instance projection, None without the
    branch. The with_* properties say which optional modules exist, on the
    model and on its target copy alike."""
    view = torch.randn(2, 3, 64, 64)
    for weight in (0., 1.):
        model = MODELS.build(small_model_cfg(instance_loss_weight=weight))
        out = model.online_encoder()(view)
        assert isinstance(out, EncoderOutput)
        (pixels, ) = out.pixels
        assert pixels.shape == (2, 64, 2, 2)  # 64 px at stride 32
        target = model.target_net.module
        for net in (model, target):
            assert not net.with_fpn and not net.with_towers
            assert net.with_instance_branch == (weight > 0)
        if weight > 0:
            assert out.instance.shape == (2, 64, 2, 2)
        else:
            assert out.instance is None
        assert model.level_weights == (1., ) and model.level_log_keys == ()


def test_tensor_mode_returns_backbone_features():
    model = MODELS.build(small_model_cfg())
    feats = model(torch.randn(2, 3, 64, 64), mode='tensor')
    assert isinstance(feats, tuple) and feats[0].shape == (2, 128, 2, 2)


def test_loss_wants_two_views(max_iters):
    model = MODELS.build(small_model_cfg())
    inputs, samples = batch()
    with pytest.raises(ValueError, match='two view'):
        model.loss(inputs + inputs[:1], samples)


@pytest.mark.parametrize('path,value,option', [
    (('head', 'pos_threshold'), 0., 'pos_threshold'),
    (('head', 'predictor', 'gamma'), 0., 'gamma'),
    (('head', 'predictor', 'num_transform_layers'), 3,
     'num_transform_layers'),
    (('instance_loss_weight', ), -1., 'instance_loss_weight'),
])
def test_invalid_config_values_fail_at_build(path, value, option):
    cfg = small_model_cfg()
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValueError, match=option):
        MODELS.build(cfg)


def test_target_is_updated_before_it_computes_features(max_iters):
    torch.manual_seed(0)
    model = MODELS.build(small_model_cfg())
    model.init_weights()
    with torch.no_grad():  # make online and target differ
        for p in model.backbone.parameters():
            p.add_(0.05 * torch.randn_like(p))
    before = {k: v.clone() for k, v in model.target_net.module.named_parameters()}
    online = dict(model.online_encoder().named_parameters())
    inputs, samples = batch()
    loss = model.loss(inputs, samples)['loss_pixel']
    tau = 0.99  # k = 0 of K = 100
    for k, p in model.target_net.module.named_parameters():
        torch.testing.assert_close(p, tau * before[k] + (1 - tau) * online[k])
    # The loss uses target features of the updated target network.
    boxes = torch.stack([s.coord for s in samples])
    enc = model.online_encoder()
    with torch.no_grad():
        t1, t2 = (model.target_net(v).pixels[0] for v in inputs)
        expected = (
            model.head.loss(enc(inputs[0]).pixels[0], t2, boxes[:, 0],
                            boxes[:, 1]) +
            model.head.loss(enc(inputs[1]).pixels[0], t1, boxes[:, 1],
                            boxes[:, 0]))
    torch.testing.assert_close(loss, expected)
