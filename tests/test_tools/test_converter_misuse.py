"""The converters never destroy their input or overwrite silently, write
atomically, and refuse tensors that do not fit the architecture."""
import errno
import hashlib
import os

import pytest
import torch
from mmengine.config import Config

from mmpixpro.registry import MODELS
from tests.utils import SMALL_CONFIG, load_tool_main
from tests.released_layout import released_checkpoint

extract = load_tool_main('model_converters', 'extract_backbone_weights.py')
to_d2 = load_tool_main('model_converters', 'to_detectron2.py')
official = load_tool_main('model_converters', 'pixpro_official_to_mmpixpro.py')


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture(scope='module')
def ours(tmp_path_factory):
    """A small-config PixPro checkpoint (narrow ResNet-18) as mmengine
    writes it."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(SMALL_CONFIG).model)
    path = tmp_path_factory.mktemp('ours') / 'epoch_4.pth'
    torch.save(dict(meta=dict(epoch=4), state_dict=model.state_dict()), path)
    return path


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    path = tmp_path_factory.mktemp('released') / 'released.pth'
    torch.save(released_checkpoint(), path)
    return path


def tools_and_inputs(ours, released):
    return [(extract, ours), (to_d2, ours), (official, released)]


def test_output_equal_to_input_is_refused(tmp_path, ours, released, capsys):
    for tool, src in tools_and_inputs(ours, released):
        copy = tmp_path / src.name
        copy.write_bytes(src.read_bytes())
        before = digest(copy)
        link = tmp_path / ('link_' + src.name)
        if not link.exists():
            os.symlink(copy, link)
        # The same file by its own name, through ./.., with --force, and
        # through a symbolic link: compared as real paths.
        for dst in (str(copy), str(tmp_path / '.' / '..' / tmp_path.name /
                                   copy.name), str(link)):
            for force in ([], ['--force']):
                assert tool([str(copy), dst] + force) == 1
                err = capsys.readouterr().err
                assert 'the output is the input' in err and dst in err
                assert digest(copy) == before


def test_existing_output_needs_force(tmp_path, ours, released, capsys):
    for tool, src in tools_and_inputs(ours, released):
        dst = tmp_path / 'out.bin'
        dst.write_bytes(b'precious')
        assert tool([str(src), str(dst)]) == 1
        err = capsys.readouterr().err
        assert str(dst) in err and '--force' in err
        assert dst.read_bytes() == b'precious'
        assert tool([str(src), str(dst), '--force']) == 0
        assert dst.read_bytes() != b'precious'
        dst.unlink()


def test_full_disk_leaves_the_old_output(tmp_path, ours, released, capsys,
                                         monkeypatch):
    """A write that fails midway (disk full) leaves the previous output
    as it was, no temporary file, and names the output."""
    import mmpixpro.utils.atomic_write as io_module
    real = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, 'No space left on device')

    for tool, src in tools_and_inputs(ours, released):
        dst = tmp_path / 'out.bin'
        dst.write_bytes(b'old output')
        monkeypatch.setattr(io_module.os, 'fsync', full)
        assert tool([str(src), str(dst), '--force']) == 1
        monkeypatch.setattr(io_module.os, 'fsync', real)
        err = capsys.readouterr().err
        assert str(dst) in err and 'No space left' in err
        assert dst.read_bytes() == b'old output'
        assert sorted(p.name for p in tmp_path.iterdir()) == ['out.bin']
        dst.unlink()


@pytest.mark.parametrize('key,shape', [
    ('backbone.conv1.weight', (16, 3, 3, 3)),
    ('backbone.layer2.0.conv2.weight', (32, 32, 1, 1)),
    ('backbone.layer4.1.bn2.running_var', (7, )),
])
def test_a_tensor_that_does_not_fit_is_refused(tmp_path, ours, capsys, key,
                                               shape):
    ckpt = torch.load(ours, weights_only=True)
    expected = tuple(ckpt['state_dict'][key].shape)
    ckpt['state_dict'][key] = torch.zeros(shape)
    src = tmp_path / 'bad.pth'
    torch.save(ckpt, src)
    name = key[len('backbone.'):]
    for tool in (extract, to_d2):
        dst = tmp_path / 'out.bin'
        assert tool([str(src), str(dst)]) == 1
        err = capsys.readouterr().err
        assert f'{name}: found {shape}, expected {expected}' in err, err
        assert 'ResNet-18' in err
        assert not dst.exists()


def test_released_tensor_that_does_not_fit_is_refused(tmp_path, capsys):
    ckpt = released_checkpoint()
    key = 'module.encoder_k.layer3.1.conv1.weight'
    expected = tuple(ckpt['model'][key].shape)
    ckpt['model'][key] = torch.zeros(8, 8, 1, 1)
    src = tmp_path / 'bad.pth'
    torch.save(ckpt, src)
    for tool in (official, extract):
        args = [str(src), str(tmp_path / 'out.pth')]
        assert tool(args + (['--target'] if tool is extract else [])) == 1
        err = capsys.readouterr().err
        assert f'layer3.1.conv1.weight: found (8, 8, 1, 1), expected {expected}' \
            in err, err
        assert 'ResNet-50' in err
        assert not (tmp_path / 'out.pth').exists()
    ckpt = released_checkpoint()
    ckpt['model']['module.projector_k.linear1.weight'] = torch.zeros(4, 4, 1, 1)
    torch.save(ckpt, src)
    assert official([str(src), str(tmp_path / 'out.pth')]) == 1
    err = capsys.readouterr().err
    assert 'target_net.module.neck.' in err and 'found (4, 4, 1, 1)' in err
