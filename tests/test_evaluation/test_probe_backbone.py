"""The probe's backbone from every checkpoint kind (ours, extracted, bare,
mmpretrain's BYOL, released), online and target; a backbone that does not
fit is refused; the random initialisation is seeded."""
import copy

import pytest
import torch
from mmengine.config import Config

from mmpixpro.converters import CheckpointError
from mmpixpro.evaluation import build_backbone
from mmpixpro.registry import MODELS
from tests.utils import SMALL_CONFIG, load_tool_main

extract = load_tool_main('model_converters', 'extract_backbone_weights.py')


@pytest.fixture(scope='module')
def small_model():
    """The small config's PixPro with a target that differs from online."""
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(Config.fromfile(SMALL_CONFIG).model))
    model.init_weights()
    with torch.no_grad():
        for p in model.target_net.parameters():
            p.add_(1.)
    return model


def assert_same_weights(module, expected):
    own = module.state_dict()
    assert set(own) == set(expected)
    for key, value in expected.items():
        assert torch.equal(own[key], value), key


def test_our_checkpoint_and_extracted_files(tmp_path, small_model):
    path = tmp_path / 'epoch_4.pth'
    torch.save(dict(meta=dict(epoch=4), state_dict=small_model.state_dict()),
               path)
    for target, source in ((False, small_model.backbone),
                           (True, small_model.target_net.module.backbone)):
        backbone, kind = build_backbone(SMALL_CONFIG, str(path), target=target)
        assert kind == 'pretraining' and not backbone.training
        assert_same_weights(backbone, source.state_dict())
    assert extract([str(path), str(tmp_path / 'backbone.pth')]) == 0
    torch.save(small_model.backbone.state_dict(), tmp_path / 'bare.pth')
    for name in ('backbone.pth', 'bare.pth'):
        backbone, kind = build_backbone(SMALL_CONFIG, str(tmp_path / name))
        assert kind == 'backbone'
        assert_same_weights(backbone, small_model.backbone.state_dict())


def test_byol_and_released_checkpoints(tmp_path, small_model):
    online = small_model.backbone.state_dict()
    target = small_model.target_net.module.backbone.state_dict()
    byol = {f'backbone.{k}': v for k, v in online.items()}
    byol.update({f'target_net.module.0.{k}': v for k, v in target.items()})
    byol['neck.mlp.0.weight'] = torch.ones(4, 4)
    torch.save(dict(state_dict=byol), tmp_path / 'byol.pth')
    released = {f'module.encoder.{k}': v for k, v in online.items()}
    released.update({f'module.encoder_k.{k}': v for k, v in target.items()})
    for name in ('projector', 'projector_k'):
        released[f'module.{name}.linear1.weight'] = torch.ones(4, 4, 1, 1)
    torch.save(dict(model=released), tmp_path / 'released.pth')
    for name, kind in (('byol.pth', 'pretraining'),
                       ('released.pth', 'released')):
        for use_target, expected in ((False, online), (True, target)):
            backbone, got = build_backbone(SMALL_CONFIG, str(tmp_path / name),
                                           target=use_target)
            assert got == kind
            assert_same_weights(backbone, expected)


def test_a_backbone_that_does_not_fit_is_an_error(tmp_path):
    cfg = copy.deepcopy(Config.fromfile(SMALL_CONFIG).model.backbone)
    for name, change in (('wide', dict(base_channels=32)),
                         ('deeper', dict(depth=34))):
        other = MODELS.build(dict(cfg, **change))
        torch.save(dict(state_dict=other.state_dict()), tmp_path / name)
    with pytest.raises(CheckpointError,
                       match=r'does not fit.*size mismatch for layer1.0.'):
        build_backbone(SMALL_CONFIG, str(tmp_path / 'wide'))
    with pytest.raises(CheckpointError,
                       match=r'does not fit.*Unexpected key.*layer1.2.'):
        build_backbone(SMALL_CONFIG, str(tmp_path / 'deeper'))
    torch.save(dict(state_dict={'neck.w': torch.ones(1)}), tmp_path / 'neck')
    with pytest.raises(CheckpointError, match='ResNet weights'):
        build_backbone(SMALL_CONFIG, str(tmp_path / 'neck'))


def test_random_init_is_seeded():
    state = torch.random.get_rng_state()
    weights = [
        build_backbone(SMALL_CONFIG, 'random', seed=s)[0].state_dict()
        for s in (0, 0, 1)
    ]
    assert torch.equal(torch.random.get_rng_state(), state)  # untouched
    key = 'layer2.0.conv1.weight'
    assert torch.equal(weights[0][key], weights[1][key])
    assert not torch.equal(weights[0][key], weights[2][key])
