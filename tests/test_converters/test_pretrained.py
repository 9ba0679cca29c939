"""The checkpoint-reading API: each kind of file is recognised, gives the
weights it holds (online or target, backbone or whole model) under the keys
written out by hand here, and every refusal names the file and says what
was expected."""
import pickle

import numpy as np
import pytest
import torch
import torchvision

from mmpixpro.converters import (BACKBONE, PRETRAINING, RELEASED,
                                 CheckpointError, extract_backbone,
                                 read_backbone_weights, read_pretrained)

# Two ResNet-ish tensors under torchvision's names, enough for the kinds.
RESNET = ('conv1.weight', 'layer1.0.conv1.weight')


def tensors(seed):
    g = torch.Generator().manual_seed(seed)
    return {k: torch.randn(2, 3, generator=g) for k in RESNET}


def save(tmp_path, name, obj):
    path = tmp_path / name
    torch.save(obj, path)
    return str(path)


def assert_equal(got, expected):
    assert list(got) == list(expected)
    for key, value in expected.items():
        assert torch.equal(got[key], value), key


@pytest.fixture
def weights():
    return dict(online=tensors(0), target=tensors(1), neck=tensors(2))


def test_our_checkpoint(tmp_path, weights):
    state = {f'backbone.{k}': v for k, v in weights['online'].items()}
    state.update({f'target_net.module.backbone.{k}': v
                  for k, v in weights['target'].items()})
    state['neck.linear1.weight'] = torch.ones(1)
    path = save(tmp_path, 'epoch_4.pth', dict(meta={}, state_dict=state))
    ckpt = read_pretrained(path)
    assert (ckpt.kind, ckpt.source_name, ckpt.path) == (PRETRAINING,
                                                        'mmpixpro', path)
    assert ckpt.model_weights() is ckpt.state_dict
    assert_equal(ckpt.backbone_weights(), weights['online'])
    assert_equal(ckpt.backbone_weights(target=True), weights['target'])


def test_byol_checkpoint(tmp_path, weights):
    state = {f'backbone.{k}': v for k, v in weights['online'].items()}
    state.update({f'target_net.module.0.{k}': v
                  for k, v in weights['target'].items()})
    path = save(tmp_path, 'byol.pth', dict(state_dict=state))
    backbone, kind = read_backbone_weights(path, target=True)
    assert kind == PRETRAINING
    assert_equal(backbone, weights['target'])


def test_released_checkpoint(tmp_path, weights):
    model = {f'module.encoder.{k}': v for k, v in weights['online'].items()}
    model.update({f'module.encoder_k.{k}': v
                  for k, v in weights['target'].items()})
    for name in ('projector', 'projector_k'):
        model[f'module.{name}.linear1.weight'] = torch.ones(1)
    path = save(tmp_path, 'released.pth', dict(model=model))
    ckpt = read_pretrained(path, (RELEASED, ))
    assert ckpt.kind == RELEASED
    assert set(ckpt.state_dict) == set(model)  # as stored
    ours = ckpt.model_weights()
    assert torch.equal(ours['backbone.conv1.weight'],
                       weights['online']['conv1.weight'])
    assert torch.equal(ours['target_net.module.neck.linear1.weight'],
                       torch.ones(1))
    assert_equal(ckpt.backbone_weights(target=True), weights['target'])

    model['module.queue'] = torch.ones(3)
    path = save(tmp_path, 'extra.pth', dict(model=model))
    with pytest.raises(CheckpointError, match='unrecognised keys') as info:
        read_pretrained(path).backbone_weights()
    assert str(info.value).startswith(path)


def test_backbone_file_and_bare_state_dict(tmp_path, weights):
    path = save(tmp_path, 'backbone.pth',
                dict(meta={}, state_dict=weights['online']))
    ckpt = read_pretrained(path)
    assert (ckpt.kind, ckpt.source_name) == (BACKBONE, 'backbone')
    assert_equal(ckpt.backbone_weights(), weights['online'])
    with pytest.raises(CheckpointError, match='one encoder only'):
        ckpt.backbone_weights(target=True)
    with pytest.raises(CheckpointError, match='backbone weights only'):
        ckpt.model_weights()

    bare = save(tmp_path, 'bare.pth', weights['online'])
    with pytest.raises(CheckpointError, match='found a bare state dict'):
        read_pretrained(bare)
    assert read_pretrained(bare, bare_state_dict=True).kind == BACKBONE
    assert_equal(read_backbone_weights(bare)[0], weights['online'])


def test_refusals_say_what_was_expected_and_found(tmp_path, weights):
    ours = save(tmp_path, 'ours.pth', dict(state_dict={
        f'backbone.{k}': v for k, v in weights['online'].items()}))
    with pytest.raises(CheckpointError,
                       match='run tools/model_converters/extract_backbone_'
                       'weights.py on it first'):
        read_pretrained(ours, (BACKBONE, ))
    with pytest.raises(CheckpointError,
                       match='expected a released PixPro checkpoint'):
        read_pretrained(ours, (RELEASED, ))

    tv = save(tmp_path, 'tv.pth',
              torchvision.models.resnet18(weights=None).state_dict())
    with pytest.raises(CheckpointError,
                       match='torchvision-style ResNet') as info:
        read_pretrained(tv, (PRETRAINING, RELEASED))
    assert str(info.value).startswith(tv + ': expected a pre-training')

    d2 = tmp_path / 'd2.pkl'
    with open(d2, 'wb') as f:
        pickle.dump(dict(model={'stem.conv1.weight': np.ones((2, 3))}), f)
    with pytest.raises(CheckpointError, match='detectron2 weights file'):
        read_pretrained(str(d2))

    neck = save(tmp_path, 'neck.pth',
                dict(state_dict={'neck.w': torch.ones(1)}))
    with pytest.raises(CheckpointError) as info:
        read_pretrained(neck).backbone_weights()
    message = str(info.value)
    assert message.startswith(neck) and 'no online backbone weights' in message
    assert 'ResNet weights' in message
    with pytest.raises(CheckpointError, match='no target backbone weights'):
        read_pretrained(neck).backbone_weights(target=True)
    with pytest.raises(FileNotFoundError):
        read_pretrained(str(tmp_path / 'none.pth'))


def test_extract_backbone(tmp_path, capsys):
    resnet = torchvision.models.resnet18(weights=None).state_dict()
    resnet = {k: v for k, v in resnet.items() if not k.startswith('fc.')}
    state = {f'backbone.{k}': v for k, v in resnet.items()}
    state.update({f'target_net.module.backbone.{k}': v + 1
                  for k, v in resnet.items()})
    src = save(tmp_path, 'epoch_4.pth', dict(state_dict=state))
    dst = str(tmp_path / 'out' / 'backbone.pth')
    assert extract_backbone(src, dst, target=True) == dst
    assert capsys.readouterr().out == (
        f'wrote {len(resnet)} tensors of the target ResNet (from an mmengine '
        f'checkpoint) to {dst}\n')
    written = torch.load(dst, weights_only=True)
    assert written['meta'] == dict(source='epoch_4.pth',
                                   source_kind='mmpixpro', encoder='target')
    assert_equal(written['state_dict'],
                 {k: v + 1 for k, v in resnet.items()})

    with pytest.raises(CheckpointError, match='pass --force'):
        extract_backbone(src, dst)
    extract_backbone(src, dst, force=True, logger='silent')
    assert capsys.readouterr().out == ''
    assert_equal(torch.load(dst, weights_only=True)['state_dict'], resnet)
    with pytest.raises(CheckpointError, match='no online FPN'):
        extract_backbone(src, str(tmp_path / 'neck.pth'), with_neck=True)
    assert not (tmp_path / 'neck.pth').exists()


def test_extract_backbone_names_the_source_it_read(tmp_path, capsys):
    # An mmseg fine-tune's checkpoint is read as an mmengine checkpoint, not
    # called one of ours.
    resnet = torchvision.models.resnet18(weights=None).state_dict()
    resnet = {k: v for k, v in resnet.items() if not k.startswith('fc.')}
    state = {f'backbone.{k}': v for k, v in resnet.items()}
    state['decode_head.conv_seg.weight'] = torch.zeros(7, 8, 1, 1)
    src = save(tmp_path, 'iter_1000.pth', dict(state_dict=state))
    extract_backbone(src, str(tmp_path / 'a.pth'))
    assert '(from an mmengine checkpoint)' in capsys.readouterr().out
