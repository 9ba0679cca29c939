"""PixContrast: the head against a loop over images and pixels, its chunked
form against the direct one, the algorithm's two directions, the configs
and a short CPU training run."""
import copy
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import RUNNERS

from mmpixpro.datasets.generated_scenes import write_unlabeled_folder
from mmpixpro.models import PixContrastHead
from mmpixpro.models.utils import chunking
from mmpixpro.registry import MODELS
from tests.brute_force import pixel_contrast_loss, positive_mask
from tests.utils import REPO, SMALL_CONFIG
from tests.test_models.test_pixpro import batch
from tests.test_models.test_pixpro_head import boxes_pair as head_boxes_pair

CONFIG = osp.join(REPO, 'configs', 'pixcontrast', 'pixcontrast_r50_8xb128.py')
PIXPRO_CONFIG = osp.join(REPO, 'configs', 'pixpro', 'pixpro_r50_8xb128.py')


def boxes_pair():
    """The PixPro head tests' pairs, with image 0's view b moved so that its
    overlap is partial: some pixels of view a have no positive (image 1:
    both flipped; image 2: no overlap at all)."""
    a, b = head_boxes_pair()
    b[0] = torch.tensor([0.8, 0.3, 0.4, 0.9], dtype=torch.double)
    return a, b


def features(seed=0, n=3, size_a=(4, 4), size_b=(3, 5), channels=8):
    g = torch.Generator().manual_seed(seed)
    online = torch.randn(n, channels, *size_a, dtype=torch.double,
                         generator=g, requires_grad=True)
    target = torch.randn(n, channels, *size_b, dtype=torch.double,
                         generator=g)
    return online, target


def test_boxes_cover_the_cases():
    a, b = boxes_pair()
    masks = [positive_mask(a[i], b[i], (4, 4), (3, 5), 0.7) for i in range(3)]
    rows = masks[0].any(1)
    assert rows.any() and not rows.all()  # some pixels without positives
    assert masks[1].any(1).any()
    assert not masks[2].any()  # no overlap


@pytest.mark.parametrize('tau,threshold', [(0.3, 0.7), (0.1, 1.5)])
def test_loss_and_gradient_match_pixel_loop(tau, threshold):
    online, target = features()
    a, b = boxes_pair()
    head = PixContrastHead(temperature=tau, pos_threshold=threshold)
    loss = head.loss(online, target, a, b)
    expected = pixel_contrast_loss(online, target, a, b, tau, threshold)
    torch.testing.assert_close(loss, expected)
    grad, = torch.autograd.grad(loss, online)
    expected_grad, = torch.autograd.grad(expected, online)
    torch.testing.assert_close(grad, expected_grad)


def test_no_positives_contribute_nothing_and_no_nan():
    online, target = features()
    a, b = boxes_pair()
    head = PixContrastHead()
    loss = head.loss(online, target, a, b)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(online.grad).all()
    # The image without overlap, and view-a pixels without a positive, get
    # exactly no gradient.
    assert (online.grad[2] == 0).all()
    lonely = ~positive_mask(a[0], b[0], (4, 4), (3, 5), 0.7).any(1)
    assert (online.grad[0].flatten(1)[:, lonely] == 0).all()
    assert (online.grad[0].flatten(1)[:, ~lonely] != 0).any()


def test_image_without_valid_pixel_counts_as_zero_in_the_mean():
    online, target = features()
    a, b = boxes_pair()
    head = PixContrastHead()
    both = head.loss(online[[0, 2]], target[[0, 2]], a[[0, 2]], b[[0, 2]])
    alone = head.loss(online[:1], target[:1], a[:1], b[:1])
    torch.testing.assert_close(both, alone / 2)
    none = head.loss(online[2:], target[2:], a[2:], b[2:])
    assert none.item() == 0
    none.backward()
    assert (online.grad == 0).all()


@pytest.mark.parametrize('chunk_size', [1, 4, 5, 16, 100])
def test_chunked_equals_direct(chunk_size):
    online, target = features(seed=1)
    a, b = boxes_pair()
    direct = PixContrastHead().loss(online, target, a, b)
    chunked = PixContrastHead(chunk_size=chunk_size).loss(
        online, target, a, b)
    torch.testing.assert_close(chunked, direct, rtol=1e-12, atol=1e-12)
    g_direct, = torch.autograd.grad(direct, online)
    g_chunked, = torch.autograd.grad(chunked, online)
    torch.testing.assert_close(g_chunked, g_direct, rtol=1e-12, atol=1e-12)
    with torch.no_grad():
        no_grad = PixContrastHead(chunk_size=chunk_size).loss(
            online, target, a, b)
    torch.testing.assert_close(no_grad, direct, rtol=1e-12, atol=1e-12)


def test_chunks_are_recomputed_only_when_gradients_are_on(monkeypatch):
    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return torch.utils.checkpoint.checkpoint(*args, **kwargs)

    monkeypatch.setattr(chunking, 'checkpoint', counting)
    online, target = features()
    a, b = boxes_pair()
    head = PixContrastHead(chunk_size=5)
    head.loss(online, target, a, b).backward()
    assert len(calls) == 4  # ceil(16 / 5)
    with torch.no_grad():
        head.loss(online, target, a, b)
    assert len(calls) == 4


def test_bfloat16_autocast_sums_in_float32():
    online, target = features()
    a, b = boxes_pair()
    online, target = online.detach().float(), target.float()
    expected = PixContrastHead().loss(online, target, a, b)
    for chunk_size in (None, 5):
        with torch.autocast('cpu', dtype=torch.bfloat16):
            loss = PixContrastHead(chunk_size=chunk_size).loss(
                online, target, a, b)
        assert loss.dtype == torch.float32
        torch.testing.assert_close(loss, expected, rtol=0.02, atol=0.02)


@pytest.mark.parametrize('kwargs,option', [
    (dict(temperature=0.), 'temperature'),
    (dict(pos_threshold=-1.), 'pos_threshold'),
    (dict(chunk_size=0), 'chunk_size'),
    (dict(chunk_size=2.5), 'chunk_size'),
])
def test_invalid_head_options(kwargs, option):
    with pytest.raises(ValueError, match=option):
        PixContrastHead(**kwargs)


# The algorithm and the configs -------------------------------------------

def on_small_encoder(cfg):
    """The R50 model config ``cfg`` on the small config's encoder: its
    narrow ResNet-18 (16 base channels) and 128 -> 256 -> 64 projector,
    plain BN."""
    cfg = copy.deepcopy(cfg)
    small = Config.fromfile(SMALL_CONFIG).model
    cfg.update(backbone=small.backbone, neck=small.neck)
    return cfg


def test_algorithm_averages_the_two_directions(max_iters):
    torch.manual_seed(0)
    model = MODELS.build(on_small_encoder(Config.fromfile(CONFIG).model))
    model.init_weights()
    with torch.no_grad():  # make online and target differ
        for p in model.backbone.parameters():
            p.add_(0.05 * torch.randn_like(p))
    inputs, samples = batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_pixcontrast'}
    assert int(model.target_net.steps) == 1
    boxes = torch.stack([s.coord for s in samples])
    enc = model.online_encoder()
    with torch.no_grad():  # target features of the updated target network
        t1, t2 = (model.target_net(v).pixels[0] for v in inputs)
        o1, o2 = (enc(v).pixels[0] for v in inputs)
        d12 = model.head.loss(o1, t2, boxes[:, 0], boxes[:, 1])
        d21 = model.head.loss(o2, t1, boxes[:, 1], boxes[:, 0])
    assert not torch.isclose(d12, d21)
    torch.testing.assert_close(losses['loss_pixcontrast'], (d12 + d21) / 2)
    losses['loss_pixcontrast'].backward()
    assert model.backbone.conv1.weight.grad is not None
    assert all(p.grad is None for p in model.target_net.parameters())


@pytest.mark.parametrize('option', ['instance_loss_weight', 'instance_neck',
                                    'instance_head', 'fpn'])
def test_algorithm_takes_no_instance_branch_or_fpn(option):
    cfg = on_small_encoder(Config.fromfile(CONFIG).model)
    cfg[option] = 1. if option == 'instance_loss_weight' else dict()
    with pytest.raises(TypeError, match=option):
        MODELS.build(cfg)


def test_config_builds_with_pixpro_data_and_schedule():
    cfg = Config.fromfile(CONFIG)
    assert cfg.default_scope == 'mmpixpro'
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'PixContrast'
    assert type(model.head).__name__ == 'PixContrastHead'
    assert (model.head.temperature, model.head.pos_threshold,
            model.head.chunk_size) == (0.3, 0.7, None)
    assert not hasattr(model, 'instance_neck')
    pixpro = Config.fromfile(PIXPRO_CONFIG)
    for key in ('train_dataloader', 'optim_wrapper', 'param_scheduler',
                'train_cfg', 'auto_scale_lr', 'default_hooks',
                'custom_hooks', 'runner_type'):
        assert cfg[key] == pixpro[key], key
    for key in ('backbone', 'neck', 'base_momentum', 'data_preprocessor'):
        assert cfg.model[key] == pixpro.model[key], key


def test_trains_two_iterations_on_cpu(tmp_path):
    images = tmp_path / 'images'
    write_unlabeled_folder(str(images), num=8, size=(90, 120))
    cfg = Config.fromfile(CONFIG)
    cfg.model = on_small_encoder(cfg.model)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.launcher = 'none'
    cfg.train_dataloader.update(batch_size=4, num_workers=0,
                                persistent_workers=False, pin_memory=False)
    cfg.train_dataloader.dataset.update(data_root=str(images),
                                        data_prefix='')
    cfg.train_cfg.max_epochs = 1
    cfg.param_scheduler = [
        dict(type='CosineAnnealingLR', T_max=1, eta_min=1e-6, by_epoch=True,
             begin=0, end=1, convert_to_iter_based=True)
    ]
    cfg.optim_wrapper.optimizer.lr = 0.5
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1)
    cfg.randomness = dict(seed=0)
    runner = RUNNERS.build(cfg)

    class Snapshot(Hook):
        def before_train(self, runner):
            self.params = {k: v.detach().clone()
                           for k, v in runner.model.named_parameters()}

    snapshot = Snapshot()
    runner.register_hook(snapshot)
    runner.train()
    losses = runner.message_hub.get_scalar('train/loss_pixcontrast').data[0]
    assert len(losses) == 2
    assert all(math.isfinite(v) and v > 0 for v in losses)
    after = dict(runner.model.named_parameters())
    changed = [k for k in snapshot.params
               if not torch.equal(after[k], snapshot.params[k])]
    assert any(k.startswith('backbone.') for k in changed)
    assert any(k.startswith('neck.') for k in changed)
    assert int(runner.model.target_net.steps) == 2
