"""extract_backbone_weights.py and to_detectron2.py on our checkpoints and on
checkpoints in the released layout."""
import pickle

import pytest
import torch
import torchvision
from mmdet.models.backbones import ResNet as MMDetResNet
from mmseg.models.backbones import ResNet as MMSegResNet

from mmpixpro.registry import MODELS
from tests.utils import load_tool_main
from tests.released_layout import r50_model_cfg, released_checkpoint

extract = load_tool_main('model_converters', 'extract_backbone_weights.py')
to_d2 = load_tool_main('model_converters', 'to_detectron2.py')


@pytest.fixture(scope='module')
def our_checkpoint(tmp_path_factory):
    """A PixPro-R50 checkpoint as the Runner writes it, with the target
    made different from the online network."""
    torch.manual_seed(0)
    model = MODELS.build(r50_model_cfg())
    model.init_weights()
    with torch.no_grad():
        for p in model.target_net.parameters():
            p.add_(1.)
    path = tmp_path_factory.mktemp('ckpt') / 'epoch_100.pth'
    torch.save(dict(meta=dict(epoch=100), state_dict=model.state_dict(),
                    message_hub=dict()), path)
    return path, model


def torchvision_keys():
    keys = set(torchvision.models.resnet50(weights=None).state_dict())
    return {k for k in keys if not k.startswith('fc.')}


@pytest.mark.parametrize('target', [False, True])
def test_extract_from_our_checkpoint(tmp_path, our_checkpoint, target):
    src, model = our_checkpoint
    dst = tmp_path / 'backbone.pth'
    assert extract([str(src), str(dst)] + (['--target'] if target else [])) == 0
    backbone = torch.load(dst, weights_only=True)['state_dict']
    assert set(backbone) == torchvision_keys()
    source = model.target_net.module.backbone if target else model.backbone
    for key, value in source.state_dict().items():
        assert torch.equal(backbone[key], value), key

    # The keys are mmdet's and mmseg's ResNet-50 (plain stem) names.
    for cls in (MMDetResNet, MMSegResNet):
        downstream = cls(depth=50)
        downstream.load_state_dict(backbone, strict=True)
        downstream.eval()
        source.eval()
        x = torch.randn(1, 3, 64, 64)
        torch.testing.assert_close(downstream(x)[-1], source(x)[-1])


def test_extract_from_released_checkpoint(tmp_path):
    released = released_checkpoint()
    torch.save(released, tmp_path / 'released.pth')
    assert extract([str(tmp_path / 'released.pth'),
                    str(tmp_path / 'b.pth')]) == 0
    backbone = torch.load(tmp_path / 'b.pth', weights_only=True)['state_dict']
    assert set(backbone) == torchvision_keys()
    for key in backbone:
        assert torch.equal(backbone[key],
                           released['model'][f'module.encoder.{key}']), key


def authors_d2_name(key):
    """The authors' detectron2 renaming, from their converter's rules."""
    if 'layer' not in key:
        key = 'stem.' + key
    for t in (1, 2, 3, 4):
        key = key.replace(f'layer{t}', f'res{t + 1}')
    for t in (1, 2, 3):
        key = key.replace(f'bn{t}', f'conv{t}.norm')
    return key.replace('downsample.0', 'shortcut').replace(
        'downsample.1', 'shortcut.norm')


@pytest.mark.parametrize('source', ['ours', 'released', 'backbone'])
def test_detectron2_pickle(tmp_path, our_checkpoint, source):
    if source == 'ours':
        src, model = our_checkpoint
        expected = model.backbone.state_dict()
    else:
        released = released_checkpoint()
        src = tmp_path / 'released.pth'
        torch.save(released, src)
        expected = {k[len('module.encoder.'):]: v
                    for k, v in released['model'].items()
                    if k.startswith('module.encoder.')}
        expected.pop('fc.weight'), expected.pop('fc.bias')
        if source == 'backbone':
            assert extract([str(src), str(tmp_path / 'b.pth')]) == 0
            src = tmp_path / 'b.pth'
    dst = tmp_path / 'd2.pkl'
    assert to_d2([str(src), str(dst)]) == 0
    with open(dst, 'rb') as f:
        d2 = pickle.load(f)
    assert d2['matching_heuristics'] is True
    expected = {authors_d2_name(k): v for k, v in expected.items()
                if not k.endswith('num_batches_tracked')}
    assert set(d2['model']) == set(expected)
    assert len(d2['model']) == 265  # ResNet-50: 53 conv + 53 x 4 norm
    for key in ('stem.conv1.weight', 'stem.conv1.norm.running_var',
                'res2.0.shortcut.weight', 'res2.0.shortcut.norm.bias',
                'res5.2.conv3.norm.weight'):
        assert key in d2['model']
    for key, value in expected.items():
        assert (d2['model'][key] == value.numpy()).all(), key


def test_refuses_what_it_does_not_know(tmp_path, capsys):
    cases = {
        'torchvision.pth': torchvision.models.resnet18(weights=None)
        .state_dict(),
        'no_backbone.pth': dict(state_dict={'neck.linear1.weight':
                                            torch.ones(1)}),
    }
    for name, obj in cases.items():
        torch.save(obj, tmp_path / name)
    (tmp_path / 'text.pth').write_text('hello')
    for tool in (extract, to_d2):
        for name in list(cases) + ['text.pth']:
            dst = tmp_path / 'out'
            assert tool([str(tmp_path / name), str(dst)]) == 1, name
            assert not dst.exists()
    err = capsys.readouterr().err
    assert 'no online backbone weights' in err
    assert 'torchvision-style ResNet' in err
