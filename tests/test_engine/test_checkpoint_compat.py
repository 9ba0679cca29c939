"""mmengine loads its checkpoints through mmpixpro's safe loader: torch's
weights_only unpickler with the allow-list of what mmengine writes, and
nothing else."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel, BaseModule
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint
from packaging.version import Version
from torch.utils.data import Dataset

from mmpixpro.converters.safe_load import (SAFE_GLOBALS, CheckpointError,
                                           globals_in_file, unsafe_load)
from tests.utils import REPO

TORCH = Version(torch.__version__.split('+')[0])


def mmengine_style_checkpoint(path):
    net = nn.Conv2d(3, 4, 1)
    torch.save(
        dict(
            meta=dict(epoch=np.int64(3), seed=np.float64(0.5)),
            message_hub=dict(log_scalars={'train/loss': HistoryBuffer([1.], [1])}),
            state_dict={f'conv.{k}': v for k, v in net.state_dict().items()}),
        path)
    return net


class Marker:
    """Pickles as a call that creates ``path``: what a crafted file does."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (exec, (f'open({self.path!r}, "w").close()', ))


class _Tiny(BaseModel):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='loss'):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        return dict(loss=self.fc(x).pow(2).mean())


class _Points(Dataset):
    metainfo = dict(classes=('a', 'b'), palette=[(1, 2, 3)])

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.full((2, ), float(i)))


def runner_checkpoint(work_dir):
    """A checkpoint written by mmengine's own Runner (optimizer, two
    schedulers, message hub, dataset meta)."""
    runner = Runner(
        model=_Tiny(), work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=_Points(), batch_size=4,
            sampler=dict(type='DefaultSampler', shuffle=True)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False, end=1),
            dict(type='CosineAnnealingLR', T_max=1, by_epoch=True)],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook')),
        randomness=dict(seed=0))
    runner.train()
    return osp.join(str(work_dir), 'epoch_1.pth')


@pytest.mark.skipif(TORCH < Version('2.6'),
                    reason='weights_only became the default in torch 2.6')
def test_plain_torch_refuses_mmengine_checkpoints(tmp_path):
    """Why the allow-list exists: torch alone (mmpixpro not imported)
    refuses mmengine's numpy and HistoryBuffer values."""
    mmengine_style_checkpoint(tmp_path / 'c.pth')
    code = ('import pickle, sys, torch\n'
            'try:\n'
            f'    torch.load({str(tmp_path / "c.pth")!r})\n'
            'except pickle.UnpicklingError as e:\n'
            '    print("refused", e)\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path),
                         capture_output=True, text=True, timeout=300).stdout
    assert out.startswith('refused'), out
    assert 'numpy' in out or 'HistoryBuffer' in out


def test_runner_checkpoint_needs_only_allowed_types(tmp_path):
    path = runner_checkpoint(tmp_path)
    needed = set(globals_in_file(path))
    # Measured: numpy arrays/scalars/dtypes, HistoryBuffer and its
    # getattr(HistoryBuffer, 'min') references; torch's own rebuild
    # functions, OrderedDict and _codecs.encode (bytes) are allowed by torch.
    own = {g for g in needed
           if g.startswith(('torch.', 'collections.', '_codecs.encode'))}
    assert needed - own <= set(SAFE_GLOBALS), needed - own - set(SAFE_GLOBALS)
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in needed
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['dataset_meta']['classes'] == ('a', 'b')
    assert ckpt['message_hub']['log_scalars']['train/loss'].mean() == \
        pytest.approx(ckpt['message_hub']['log_scalars']['train/loss']
                      ._log_history.mean())
    assert torch.load(path, weights_only=True)['meta']['epoch'] == 1


def test_load_and_pretrained_init(tmp_path):
    net = mmengine_style_checkpoint(tmp_path / 'c.pth')
    ckpt = _load_checkpoint(str(tmp_path / 'c.pth'), map_location='cpu')
    assert int(ckpt['meta']['epoch']) == 3

    class Holder(BaseModule):

        def __init__(self):
            super().__init__(init_cfg=dict(
                type='Pretrained', checkpoint=str(tmp_path / 'c.pth')))
            self.conv = nn.Conv2d(3, 4, 1)

    holder = Holder()
    holder.init_weights()
    assert torch.equal(holder.conv.weight, net.weight)


def test_crafted_file_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / 'marker'
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, meta=Marker(marker)), path)

    with pytest.raises(CheckpointError) as info:
        _load_checkpoint(str(path), map_location='cpu')
    message = str(info.value)
    assert str(path) in message and 'builtins.exec' in message
    assert 'unsafe_load = True' in message
    assert not marker.exists()

    class Holder(BaseModule):

        def __init__(self):
            super().__init__(
                init_cfg=dict(type='Pretrained', checkpoint=str(path)))
            self.conv = nn.Conv2d(3, 4, 1)

    with pytest.raises(CheckpointError):
        Holder().init_weights()
    assert not marker.exists()

    # The explicit opt-in does run it: the payload is real.
    with unsafe_load():
        _load_checkpoint(str(path), map_location='cpu')
    assert marker.exists()


def test_getattr_is_allowed_on_history_buffer_only(tmp_path):
    path = tmp_path / 'getattr.pth'

    class InitRef:

        def __reduce__(self):
            return (getattr, (HistoryBuffer, '__init__'))

    torch.save(dict(x=InitRef()), path)
    with pytest.raises(CheckpointError, match='getattr'):
        _load_checkpoint(str(path), map_location='cpu')


def test_repo_has_no_unsafe_load_outside_the_opt_in():
    """Every weights_only=False in the package is behind the opt-in."""
    import glob
    hits = []
    for file in glob.glob(osp.join(REPO, 'mmpixpro', '**', '*.py'),
                          recursive=True) + glob.glob(
                              osp.join(REPO, 'tools', '**', '*.py'),
                              recursive=True):
        with open(file) as f:
            text = f.read()
        if 'weights_only=False' in text or 'pickle.load(' in text:
            hits.append(osp.relpath(file, REPO))
    assert hits == [osp.join('mmpixpro', 'converters', 'safe_load.py')]
