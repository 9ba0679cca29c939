"""A backbone file is recognised by its keys' prefixes, whatever the
backbone; the ResNet-only tools refuse the others, naming tool and
backbone."""
import os.path as osp
import pickle

import pytest
import torch

from mmpixpro.converters import (BACKBONE, CheckpointError, backbone_family,
                                 extract_backbone, is_backbone_state_dict,
                                 read_pretrained)
from mmpixpro.registry import MODELS
from tests.utils import REPO, load_tool_main

to_d2 = load_tool_main('model_converters', 'to_detectron2.py')
check_weights = load_tool_main('benchmarks', 'check_weights.py')

# The smallest of each family mmpretrain builds (module names as in the
# full-size archs).
TINY = {
    'ResNet': dict(type='ResNet', depth=18, base_channels=8,
                   stem_channels=8, out_indices=(3, )),
    'ConvNeXt': dict(type='ConvNeXt',
                     arch=dict(depths=[1, 1, 1, 1], channels=[8, 16, 24, 32]),
                     out_indices=(3, ), gap_before_final_norm=False),
    'SwinTransformer': dict(type='SwinTransformer',
                            arch=dict(embed_dims=8, depths=[1, 1, 1, 1],
                                      num_heads=[1, 1, 1, 1]),
                            img_size=64, window_size=2, out_indices=(3, )),
    'VisionTransformer': dict(type='VisionTransformer',
                              arch=dict(embed_dims=8, num_layers=2,
                                        num_heads=1, feedforward_channels=16),
                              img_size=32, patch_size=8, out_type='featmap'),
}


def tiny_state_dict(family):
    torch.manual_seed(0)
    return MODELS.build(TINY[family]).state_dict()


@pytest.mark.parametrize('family', list(TINY))
def test_each_family_is_recognised_by_its_keys(family):
    state_dict = tiny_state_dict(family)
    assert backbone_family(state_dict) == family
    assert is_backbone_state_dict(state_dict)
    # Under a pre-training prefix it is no backbone file; nor is a neck.
    prefixed = {f'backbone.{k}': v for k, v in state_dict.items()}
    assert backbone_family(prefixed) is None
    assert not is_backbone_state_dict({'neck.conv.weight': torch.ones(1)})


@pytest.mark.parametrize('family', list(TINY))
def test_extract_and_read_any_family(tmp_path, family):
    backbone = tiny_state_dict(family)
    state = {f'backbone.{k}': v for k, v in backbone.items()}
    state.update({f'target_net.module.backbone.{k}': v + 1
                  for k, v in backbone.items() if v.is_floating_point()})
    src = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict=state), src)
    dst = str(tmp_path / 'backbone.pth')
    extract_backbone(str(src), dst, logger='silent')
    written = torch.load(dst, weights_only=True)['state_dict']
    assert written.keys() == backbone.keys()
    assert all(torch.equal(written[k], v) for k, v in backbone.items())
    # The file is a backbone file to every reader.
    checkpoint = read_pretrained(dst, (BACKBONE, ))
    assert checkpoint.kind == BACKBONE
    assert backbone_family(checkpoint.backbone_weights()) == family


def test_extract_refuses_weights_of_no_known_backbone(tmp_path):
    src = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict={'backbone.blocks.0.w': torch.ones(2)}), src)
    with pytest.raises(CheckpointError, match='no known backbone'):
        extract_backbone(str(src), str(tmp_path / 'out.pth'))
    assert not (tmp_path / 'out.pth').exists()


def test_resnet_shapes_are_still_checked_for_resnet_files(tmp_path):
    backbone = tiny_state_dict('ResNet')
    backbone['layer1.0.conv1.weight'] = torch.ones(3, 3, 3, 3)
    src = tmp_path / 'epoch_1.pth'
    torch.save(dict(state_dict={f'backbone.{k}': v
                                for k, v in backbone.items()}), src)
    with pytest.raises(CheckpointError, match='layer1.0.conv1.weight'):
        extract_backbone(str(src), str(tmp_path / 'out.pth'))


@pytest.mark.parametrize('family',
                         ['ConvNeXt', 'SwinTransformer', 'VisionTransformer'])
def test_detectron2_export_refuses_other_backbones(tmp_path, capsys, family):
    src = tmp_path / 'backbone.pth'
    torch.save(dict(state_dict=tiny_state_dict(family)), src)
    dst = tmp_path / 'd2.pkl'
    assert to_d2([str(src), str(dst)]) == 1
    err = capsys.readouterr().err
    assert 'to_detectron2.py exports ResNet backbones only' in err
    assert f'found a {family}' in err and 'nothing written' in err
    assert err.count('\n') == 1
    assert not dst.exists()
    # A ResNet file still exports.
    torch.save(dict(state_dict=tiny_state_dict('ResNet')), src)
    assert to_d2([str(src), str(dst)]) == 0
    with open(dst, 'rb') as f:
        assert 'res5.0.conv1.weight' in pickle.load(f)['model']


def test_check_weights_takes_a_convnext_file(tmp_path, capsys):
    """The tool reads the file as backbone weights (it used to refuse
    anything without conv1.weight); the config here does not exist, so
    only that line fails."""
    src = tmp_path / 'backbone.pth'
    torch.save(dict(state_dict=tiny_state_dict('ConvNeXt')), src)
    missing = str(tmp_path / 'none.py')
    assert check_weights([missing, '--pretrained', str(src)]) == 1
    err = capsys.readouterr().err
    assert f'config file {missing} does not exist' in err
    assert 'expected' not in err


def test_train_downstream_takes_a_convnext_file(tmp_path):
    """train_downstream.py reads the file as backbone weights and goes on
    to the data check (it used to stop at 'expected ResNet backbone
    weights')."""
    train_downstream = load_tool_main('benchmarks', 'train_downstream.py')
    src = tmp_path / 'backbone.pth'
    torch.save(dict(state_dict=tiny_state_dict('ConvNeXt')), src)
    config = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', 'coco',
                      'mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-1x_coco.py')
    with pytest.raises(SystemExit) as info:
        train_downstream([
            config, '--pretrained',
            str(src), '--cfg-options',
            f'train_dataloader.dataset.data_root={tmp_path}/none'
        ])
    assert 'data folder not found' in str(info.value.code)
