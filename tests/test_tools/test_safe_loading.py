"""A crafted checkpoint (a pickle that creates a marker file when it is
unpickled) fed to every entry point that reads checkpoints: each refuses it,
names the file, the type it wanted and the opt-in, and no marker appears.
Checkpoints in every legitimate layout still load."""
import argparse
import os.path as osp
import pickle

import numpy as np
import pytest
import torch

from mmpixpro.converters import (BACKBONE, RELEASED, CheckpointError,
                                 read_pretrained)
from mmpixpro.evaluation import build_backbone
from mmpixpro.visualization.propagation import load_model
from tests.utils import REPO, SMALL_CONFIG, load_tool_main
from tests.released_layout import released_checkpoint

TOOLS = {
    'extract': ('model_converters', 'extract_backbone_weights.py'),
    'to_d2': ('model_converters', 'to_detectron2.py'),
    'official': ('model_converters', 'pixpro_official_to_mmpixpro.py'),
    'check_weights': ('benchmarks', 'check_weights.py'),
    'probe': ('analysis', 'dense_probe.py'),
}
DET_CONFIG = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection',
                      'voc0712', 'faster-rcnn_r50-c4_ms-24k_voc0712.py')
FORMATS = ('zip', 'legacy', 'pickle')


class Payload:
    """Unpickling this creates ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (exec, (f'open({self.path!r}, "w").close()', ))


def crafted(tmp_path, fmt):
    """A file that looks like each kind of checkpoint and carries the
    payload; returns (file, marker)."""
    marker = tmp_path / f'marker_{fmt}'
    obj = dict(meta=dict(note=Payload(marker)),
               state_dict={'backbone.conv1.weight': torch.ones(1)},
               model={'module.encoder.conv1.weight': torch.ones(1)})
    path = tmp_path / f'evil_{fmt}.pth'
    if fmt == 'zip':
        torch.save(obj, path)
    elif fmt == 'legacy':
        torch.save(obj, path, _use_new_zipfile_serialization=False)
    else:
        with open(path, 'wb') as f:
            pickle.dump(obj, f)
    return str(path), marker


def assert_refused(text, path, marker, opt_in='--unsafe-load'):
    assert path in text, text
    assert 'builtins.exec' in text, text
    assert opt_in in text, text
    assert not marker.exists(), 'the payload ran'


@pytest.mark.parametrize('fmt', FORMATS)
def test_the_payload_is_real(tmp_path, fmt):
    """Control: the full unpickler does run it (torch.load for torch's
    formats, pickle for the plain one)."""
    path, marker = crafted(tmp_path, fmt)
    if fmt == 'pickle':
        with open(path, 'rb') as f:
            pickle.load(f)
    else:
        torch.load(path, weights_only=False)
    assert marker.exists()


@pytest.mark.parametrize('fmt', FORMATS)
@pytest.mark.parametrize('tool', ['extract', 'to_d2', 'official'])
def test_converters_refuse(tmp_path, capsys, tool, fmt):
    path, marker = crafted(tmp_path, fmt)
    out = tmp_path / 'out.pth'
    assert load_tool_main(*TOOLS[tool])([path, str(out)]) == 1
    assert_refused(capsys.readouterr().err, path, marker)
    assert not out.exists()


@pytest.mark.parametrize('fmt', FORMATS)
def test_check_weights_refuses(tmp_path, capsys, fmt):
    path, marker = crafted(tmp_path, fmt)
    main = load_tool_main(*TOOLS['check_weights'])
    assert main([DET_CONFIG, '--pretrained', path]) == 1
    assert_refused(capsys.readouterr().err, path, marker)


@pytest.mark.parametrize('fmt', FORMATS)
def test_train_downstream_refuses(tmp_path, capsys, fmt):
    path, marker = crafted(tmp_path, fmt)
    main = load_tool_main('benchmarks', 'train_downstream.py')
    with pytest.raises(SystemExit) as info:
        main([DET_CONFIG, '--pretrained', path, '--work-dir',
              str(tmp_path / 'w')])
    assert_refused(str(info.value.code), path, marker)


@pytest.mark.parametrize('fmt', FORMATS)
def test_dense_probe_refuses(tmp_path, capsys, fmt):
    from tests.test_evaluation.test_dense_data import write_cityscapes
    path, marker = crafted(tmp_path, fmt)
    with pytest.raises(CheckpointError) as info:
        build_backbone(SMALL_CONFIG, path)
    assert_refused(str(info.value), path, marker)
    write_cityscapes(tmp_path / 'data', splits=(('train', 1), ('val', 1)),
                     size=32)
    main = load_tool_main(*TOOLS['probe'])
    assert main([SMALL_CONFIG, path, '--data-root', str(tmp_path / 'data'),
                 '--format', 'cityscapes', '--img-size', '32', '--quiet']) == 1
    assert_refused(capsys.readouterr().err, path, marker)


@pytest.mark.parametrize('fmt', FORMATS)
def test_show_propagation_refuses(tmp_path, fmt):
    from mmengine.config import Config
    path, marker = crafted(tmp_path, fmt)
    with pytest.raises(CheckpointError) as info:
        load_model(Config.fromfile(SMALL_CONFIG), path)
    assert_refused(str(info.value), path, marker)


@pytest.mark.parametrize('option', ['--resume', 'load_from'])
def test_train_refuses_and_the_switch_opts_in(tmp_path, small_images, option):
    """tools/train.py: --resume FILE and load_from=FILE (mmengine's loader)
    refuse; --unsafe-load (unsafe_load=True) is the explicit opt-in."""
    path, marker = crafted(tmp_path, 'zip')
    train = load_tool_main('train.py')
    common = [SMALL_CONFIG, '--work-dir', str(tmp_path / 'w'), '--cfg-options',
              f'train_dataloader.dataset.data_root={small_images}',
              'train_dataloader.num_workers=0',
              'train_dataloader.persistent_workers=False',
              'train_dataloader.batch_size=2']
    args = (common[:3] + ['--resume', path] + common[3:]
            if option == '--resume' else common + [f'load_from={path}'])
    with pytest.raises(CheckpointError) as info:
        train(args)
    assert_refused(str(info.value), path, marker, opt_in='unsafe_load = True')
    with pytest.raises(Exception):  # the crafted file is no checkpoint
        train(args[:1] + ['--unsafe-load'] + args[1:])
    assert marker.exists()


# ------------------------------------------------- legitimate checkpoints


def test_released_layout_with_training_state_loads(tmp_path, capsys):
    """The authors' training-time files also hold their argparse options,
    numpy values, the optimizer; all load without the opt-in."""
    released = released_checkpoint()
    released.update(
        opt=argparse.Namespace(arch='resnet50', lr=1.0, epochs=400,
                               crop=0.08, image_size=224, amp_opt_level='O1'),
        epoch=np.int64(400), optimizer={'state': {}, 'param_groups': [
            {'lr': np.float64(0.1), 'params': [0, 1]}]})
    src = tmp_path / 'released.pth'
    torch.save(released, src)
    official = load_tool_main(*TOOLS['official'])
    assert official([str(src), str(tmp_path / 'ours.pth')]) == 0
    checkpoint = read_pretrained(str(src))
    assert checkpoint.kind == RELEASED
    assert 'backbone.conv1.weight' in checkpoint.model_weights()


def test_byol_layout_loads(tmp_path):
    """mmpretrain's BYOL keys and an mmengine meta with numpy values."""
    from mmpixpro.registry import MODELS
    from mmengine.config import Config
    backbone = MODELS.build(Config.fromfile(SMALL_CONFIG).model.backbone)
    sd = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    sd.update({f'target_net.module.0.{k}': v
               for k, v in backbone.state_dict().items()})
    path = tmp_path / 'byol.pth'
    torch.save(dict(meta=dict(epoch=np.int64(2), seed=np.int32(1)),
                    state_dict=sd), path)
    out = tmp_path / 'b.pth'
    assert load_tool_main(*TOOLS['extract'])([str(path), str(out),
                                              '--target']) == 0
    got = torch.load(out, weights_only=True)['state_dict']
    assert torch.equal(got['conv1.weight'],
                       backbone.state_dict()['conv1.weight'])


def test_plain_pickles_of_arrays_are_read_safely(tmp_path):
    """A detectron2 .pkl (a plain pickle of numpy arrays, protocol 4, as
    to_detectron2.py and detectron2 write them) is read by the restricted
    unpickler and recognised; it is not passed to pickle.load."""
    from mmpixpro.converters import load_checkpoint_file
    path = tmp_path / 'd2.pkl'
    with open(path, 'wb') as f:
        pickle.dump(dict(model={'stem.conv1.weight': np.ones((2, 3))}), f,
                    protocol=4)
    obj = load_checkpoint_file(str(path))
    assert np.array_equal(obj['model']['stem.conv1.weight'], np.ones((2, 3)))
    with pytest.raises(CheckpointError, match='detectron2 weights file'):
        read_pretrained(str(path), (BACKBONE, ))
