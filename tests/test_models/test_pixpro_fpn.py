"""Head network pre-training: PixPro with an FPN (and FCOS towers) between
the backbone and the projector, built from the two pre-training configs
shrunk to a narrow ResNet-18 with BN."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmpixpro.datasets.generated_scenes import write_unlabeled_folder
from mmpixpro.registry import MODELS, RUNNERS
from mmpixpro.utils import syncbn_to_bn
from tests import brute_force
from tests.utils import REPO, SMALL_CONFIG
from tests.test_models.test_pixpro import batch

FPN_CONFIG = osp.join(REPO, 'configs', 'pixpro', 'pixpro_r50-fpn_8xb128.py')
FCOS_CONFIG = osp.join(REPO, 'configs', 'pixpro',
                       'pixpro_r50-fpn-fcoshead_8xb128.py')


def shrink(model):
    """A pre-training model config narrowed for CPU: ResNet-18 with 16
    base channels, 32-channel FPN and towers (GN with 8 groups), 64-wide
    projector, BN instead of SyncBN; levels, weights, layouts unchanged."""
    syncbn_to_bn(model)
    model.backbone.update(depth=18, stem_channels=16, base_channels=16)
    model.fpn.update(in_channels=[16, 32, 64, 128], out_channels=32)
    if 'towers' in model:
        model.towers.update(
            in_channels=32, feat_channels=32,
            norm_cfg=dict(type='GN', num_groups=8, requires_grad=True))
    model.neck.update(in_channels=32, hid_channels=64, out_channels=32)
    model.head.predictor.channels = 32
    return model


def tiny_model_cfg(config=FCOS_CONFIG, **overrides):
    model = shrink(copy.deepcopy(Config.fromfile(config).model))
    model.update(overrides)
    return model


def build(config=FCOS_CONFIG, **overrides):
    torch.manual_seed(0)
    model = MODELS.build(tiny_model_cfg(config, **overrides))
    model.init_weights()
    return model


def pyramid(net, img, levels):
    """The projected levels of ``net`` (the PixPro model or its target
    copy), computed from its parts: backbone, FPN, towers, projector."""
    outs = net.fpn(net.backbone(img))
    outs = [outs[i] for i in levels]
    if hasattr(net, 'towers'):
        for conv in net.towers.convs:
            outs = [conv(x) for x in outs]
    return [net.neck(x) for x in outs]


def two_boxes(n):
    """Per image, two overlapping crop boxes, the second one flipped."""
    samples_boxes = torch.tensor([[[0.1, 0.1, 0.8, 0.8], [0.7, 0.2, 0.2, 0.9]],
                                  [[0.0, 0.3, 0.6, 1.0], [0.2, 0.0, 0.9, 0.7]]])
    return samples_boxes[:n]


def test_loss_is_the_weighted_mean_of_the_level_losses(max_iters):
    # P3, P4 and P6 of the FCOS layout (8x8, 4x4 and 1x1 at 64 px), weights
    # 1:2:1; the head and its PPM chunk rows in blocks that do not divide
    # the grids.
    model = build(levels=(0, 1, 3), level_weights=(1., 2., 1.),
                  head=dict(chunk_size=24))
    assert model.head.predictor.chunk_size == 24
    assert model.level_names == ('p3', 'p4', 'p6')
    inputs, samples = batch(n=2, size=64)
    for sample, boxes in zip(samples, two_boxes(2)):
        sample.set_field(boxes, 'coord')
    losses = model.loss(inputs, samples)
    assert list(losses) == ['loss_pixel', 'pixel_p3', 'pixel_p4', 'pixel_p6']

    # Each level independently: its own maps (target after the update),
    # PPM, and the loss by explicit loops with that level's own grid.
    b = two_boxes(2)
    with torch.no_grad():
        online = [pyramid(model, v, (0, 1, 3)) for v in inputs]
        target = [pyramid(model.target_net.module, v, (0, 1, 3))
                  for v in inputs]
        expected = 0.
        for i, (name, weight, size) in enumerate(
                zip(('p3', 'p4', 'p6'), (.25, .5, .25), (8, 4, 1))):
            assert online[0][i].shape[-2:] == (size, size)
            pred = [model.head.predictor(online[v][i]) for v in (0, 1)]
            level = (brute_force.pixel_loss(pred[0], target[1][i], b[:, 0],
                                            b[:, 1], 0.7) +
                     brute_force.pixel_loss(pred[1], target[0][i], b[:, 1],
                                            b[:, 0], 0.7))
            torch.testing.assert_close(losses[f'pixel_{name}'], level,
                                       rtol=1e-4, atol=1e-5)
            expected = expected + weight * level
    torch.testing.assert_close(losses['loss_pixel'].detach(), expected,
                               rtol=1e-4, atol=1e-5)
    # mmengine sums the keys with "loss" in their name: the level logs are
    # not counted twice.
    total, log_vars = model.parse_losses(losses)
    torch.testing.assert_close(total, losses['loss_pixel'])
    assert set(log_vars) == {'loss', 'loss_pixel', 'pixel_p3', 'pixel_p4',
                             'pixel_p6'}


def test_each_level_is_compared_on_its_own_grid(max_iters):
    model = build()
    calls = []
    head_loss = model.head.loss

    def spy(online, target, boxes_online, boxes_target):
        calls.append((tuple(online.shape[-2:]), tuple(target.shape[-2:]),
                      boxes_online, boxes_target))
        return head_loss(online, target, boxes_online, boxes_target)

    model.head.loss = spy
    inputs, samples = batch(n=2, size=96)
    model.loss(inputs, samples)
    boxes = torch.stack([s.coord for s in samples])
    # P3-P7 of a 96 px view: 12x12, 6x6, 3x3, 2x2, 1x1; both directions.
    sizes = [(12, 12), (6, 6), (3, 3), (2, 2), (1, 1)]
    assert [c[:2] for c in calls] == [(s, s) for s in sizes for _ in (0, 1)]
    for k, (_, _, b_online, b_target) in enumerate(calls):
        first, second = (0, 1) if k % 2 == 0 else (1, 0)
        assert torch.equal(b_online, boxes[:, first])
        assert torch.equal(b_target, boxes[:, second])
    # The same boxes pair different cells at each grid: one mask could not
    # serve all levels.
    counts = [brute_force.positive_mask(boxes[0, 0], boxes[0, 1], s, s,
                                        0.7).sum().item() for s in sizes[:3]]
    assert len(set(counts)) == 3


@pytest.mark.parametrize('config', [FPN_CONFIG, FCOS_CONFIG],
                         ids=['fpn', 'fpn-fcoshead'])
def test_target_copies_and_averages_fpn_and_towers(config, max_iters):
    model = build(config)
    parts = ('fpn', 'towers') if config == FCOS_CONFIG else ('fpn', )
    assert hasattr(model, 'towers') == ('towers' in parts)
    keys = set(model.state_dict())
    for part in parts:
        online = getattr(model, part).state_dict()
        target = getattr(model.target_net.module, part).state_dict()
        assert online.keys() == target.keys()
        for key in online:
            assert f'{part}.{key}' in keys
            assert f'target_net.module.{part}.{key}' in keys
            assert torch.equal(online[key], target[key]), key
    assert 'fpn.lateral_convs.0.conv.weight' in keys
    if 'towers' in parts:
        assert 'towers.convs.3.gn.weight' in keys

    with torch.no_grad():  # make online and target differ
        for part in parts:
            for p in getattr(model, part).parameters():
                p.add_(0.05 * torch.randn_like(p))
    before = {k: v.clone()
              for k, v in model.target_net.module.named_parameters()}
    online = dict(model.online_encoder().named_parameters())
    loss = model.loss(*batch(n=2, size=64))['loss_pixel']
    tau = 0.99  # k = 0 of K = 100
    for key, p in model.target_net.module.named_parameters():
        if key.startswith(parts):
            torch.testing.assert_close(
                p, tau * before[key] + (1 - tau) * online[key])
    loss.backward()
    assert all(p.grad is None for p in model.target_net.parameters())
    # The config's levels train every FPN and tower parameter (none would
    # be left at its init for the transfer, and DDP finds no unused one).
    for part in parts:
        for key, p in getattr(model, part).named_parameters():
            assert p.grad is not None and p.grad.abs().sum() > 0, \
                f'{part}.{key} gets no gradient'


def test_plain_pixpro_is_unchanged():
    plain = MODELS.build(copy.deepcopy(Config.fromfile(SMALL_CONFIG).model))
    assert not plain.with_fpn
    assert not hasattr(plain.target_net.module, 'fpn')
    plain_keys = list(plain.state_dict())
    assert not any('fpn.' in k or 'towers.' in k for k in plain_keys)
    # The FPN model has the same keys, plus its FPN and towers (online and
    # target).
    fpn_keys = [k for k in build().state_dict()
                if not k.startswith(('fpn.', 'towers.', 'target_net.module'
                                     '.fpn.', 'target_net.module.towers.'))]
    assert sorted(fpn_keys) == sorted(plain_keys)


@pytest.mark.parametrize('overrides,match', [
    (dict(fpn=None, towers=dict(type='ConvTower')), 'need an fpn'),
    (dict(fpn=None, towers=None, levels=(0, )), 'need an fpn'),
    (dict(levels=(0, 5)), 'levels'),
    (dict(levels=(1, 1)), 'levels'),
    (dict(levels=()), 'levels'),
    (dict(levels=(0, 1), level_weights=(1., )), 'level_weights'),
    (dict(level_weights=(1., -1., 1., 1., 1.)), 'level_weights'),
    (dict(level_weights=(0., ) * 5), 'level_weights'),
])
def test_invalid_level_options_fail_at_build(overrides, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(tiny_model_cfg(**overrides))


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp('images')
    write_unlabeled_folder(str(root), num=4, size=(90, 120))
    return str(root)


@pytest.mark.parametrize('config', [FPN_CONFIG, FCOS_CONFIG],
                         ids=['fpn', 'fpn-fcoshead'])
def test_config_trains_with_the_runner(config, images, tmp_path):
    """The config, shrunk as above, 2 iterations of batch 2 through
    PixProRunner (its views, LARS and schedule unchanged, 224 px)."""
    cfg = Config.fromfile(config)
    shrink(cfg.model)
    cfg.work_dir = str(tmp_path)
    cfg.launcher = 'none'
    loader = cfg.train_dataloader
    loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    loader.dataset.update(data_root=images, data_prefix='')
    cfg.train_cfg.max_epochs = 1
    cfg.param_scheduler = [
        dict(type='CosineAnnealingLR', T_max=1, eta_min=1e-6, by_epoch=True,
             begin=0, end=1, convert_to_iter_based=True)
    ]
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.randomness = dict(seed=0)
    runner = RUNNERS.build(cfg)
    runner.train()
    hub = runner.message_hub
    losses = hub.get_scalar('train/loss').data[0]
    assert len(losses) == 2 and all(torch.isfinite(torch.tensor(losses)))
    names = runner.model.level_names
    assert names == (('p2', 'p3', 'p4', 'p5') if config == FPN_CONFIG else
                     ('p3', 'p4', 'p5', 'p6', 'p7'))
    for name in names:
        assert len(hub.get_scalar(f'train/pixel_{name}').data[0]) == 2
    ckpt = torch.load(osp.join(tmp_path, 'epoch_1.pth'), map_location='cpu',
                      weights_only=False)
    assert int(ckpt['state_dict']['target_net.steps']) == 2
    assert 'target_net.module.fpn.fpn_convs.0.conv.weight' in \
        ckpt['state_dict']
