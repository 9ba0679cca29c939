"""Atomically written files (checkpoints, last_checkpoint, converter
outputs) get the mode a plain open() gives under the umask, and a write to
a full disk ends in one line naming the output file."""
import contextlib
import errno
import io
import os
import os.path as osp
import stat

import pytest
import torch
from mmengine.config import Config

import mmpixpro.utils.atomic_write as io_module
from mmpixpro.utils.atomic_write import (atomic_torch_save, atomic_write,
                                         is_partial_file)
from mmpixpro.registry import MODELS
from tests.utils import SMALL_CONFIG, load_tool_main
from tests.released_layout import released_checkpoint

UMASKS = (0o022, 0o027, 0o077, 0o002)

extract = load_tool_main('model_converters', 'extract_backbone_weights.py')
to_d2 = load_tool_main('model_converters', 'to_detectron2.py')
official = load_tool_main('model_converters', 'pixpro_official_to_mmpixpro.py')


@contextlib.contextmanager
def umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def plain_open_mode(folder):
    """The mode open(path, 'wb') gives a new file here, now."""
    path = osp.join(folder, 'plain')
    with open(path, 'wb'):
        pass
    try:
        return mode(path)
    finally:
        os.remove(path)


@pytest.fixture(scope='module')
def ours(tmp_path_factory):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(SMALL_CONFIG).model)
    path = tmp_path_factory.mktemp('ours') / 'epoch_4.pth'
    torch.save(dict(meta=dict(epoch=4), state_dict=model.state_dict()), path)
    return str(path)


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    path = tmp_path_factory.mktemp('released') / 'released.pth'
    torch.save(released_checkpoint(), path)
    return str(path)


@pytest.mark.parametrize('mask', UMASKS)
def test_new_file_mode_follows_the_umask(tmp_path, mask):
    with umask(mask):
        dst = str(tmp_path / 'out.pth')
        atomic_torch_save({'a': torch.ones(2)}, dst)
        assert mode(dst) == 0o666 & ~mask
        assert mode(dst) == plain_open_mode(str(tmp_path))


@pytest.mark.parametrize('mask', (0o022, 0o027))
def test_replacing_does_not_tighten(tmp_path, mask):
    """Over an existing 0644 file (--force) the new file gets the
    umask's mode, not the temporary file's 0600."""
    dst = tmp_path / 'out.bin'
    dst.write_bytes(b'old')
    os.chmod(dst, 0o644)
    with umask(mask):
        atomic_write(str(dst), lambda f: f.write(b'new'))
    assert dst.read_bytes() == b'new'
    assert mode(dst) == 0o666 & ~mask


@pytest.mark.parametrize('mask', (0o022, 0o027))
def test_converter_outputs_follow_the_umask(tmp_path, ours, released, mask):
    with umask(mask):
        for i, (tool, src) in enumerate(((extract, ours), (to_d2, ours),
                                         (official, released))):
            dst = str(tmp_path / f'out{i}')
            assert tool([src, dst]) == 0
            assert mode(dst) == 0o666 & ~mask, tool
            with open(dst, 'wb') as f:  # --force over a 0600 file
                f.write(b'x')
            os.chmod(dst, 0o600)
            assert tool([src, dst, '--force']) == 0
            assert mode(dst) == 0o666 & ~mask, tool


@pytest.mark.parametrize('mask', (0o022, 0o027))
def test_checkpoints_follow_the_umask(tmp_path, images, mask):
    from tests.utils import build_runner, small_cfg
    work = str(tmp_path / 'work')
    cfg = small_cfg(work, images, max_epochs=1)
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook',
                                        interval=1)
    with umask(mask):
        build_runner(cfg).train()
    for name in ('epoch_1.pth', 'last_checkpoint'):
        assert mode(osp.join(work, name)) == 0o666 & ~mask, name


class FullDisk(io.FileIO):
    """A file whose writes fail as on a full disk after ``room`` bytes."""

    room = 4096

    def write(self, data):
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, 'No space left on device')
        return super().write(data)


def full_disk_open(file, mode='r', *args, **kwargs):
    if mode == 'wb':
        return FullDisk(file, 'wb')
    return open(file, mode, *args, **kwargs)


def test_full_disk_is_one_line_naming_the_output(tmp_path, ours, released,
                                                 capsys, monkeypatch):
    """torch.save on a full disk raises its own RuntimeError ('unexpected
    pos'); every converter says instead, in one line, which file could
    not be written and why, and leaves no partial or temporary file."""
    # torch's own report, without the conversion:
    with pytest.raises(RuntimeError, match='unexpected pos'):
        with FullDisk(str(tmp_path / 'raw'), 'wb') as f:
            torch.save(dict(state_dict=torch.load(
                ours, weights_only=True)['state_dict']), f)
    os.remove(tmp_path / 'raw')
    monkeypatch.setattr(io_module, 'open', full_disk_open, raising=False)
    for tool, src in ((extract, ours), (to_d2, ours), (official, released)):
        for existing in (False, True):
            dst = tmp_path / 'out.bin'
            if existing:
                dst.write_bytes(b'old output')
            args = [src, str(dst)] + (['--force'] if existing else [])
            assert tool(args) == 1
            err = capsys.readouterr().err
            assert err.count('\n') == 1 and 'Traceback' not in err, err
            assert f'could not write {dst}' in err
            assert 'No space left on device' in err
            if existing:
                assert dst.read_bytes() == b'old output'
                dst.unlink()
            assert not dst.exists()
            assert not any(is_partial_file(p.name)
                           for p in tmp_path.iterdir())
