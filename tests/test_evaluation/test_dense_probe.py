"""The dense probe end to end: on a backbone whose features encode the
labels it scores them all, and the CLI gives what the library call gives."""
import importlib.util
import json
import os

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from mmpixpro.evaluation import DenseData, dense_probe, load_split, run_probe
from tests.utils import SMALL_CONFIG, load_tool_main
from tests.test_evaluation.test_dense_data import write_cityscapes

probe_cli = load_tool_main('analysis', 'dense_probe.py')


class LabelEncoder(nn.Module):
    """A stand-in backbone: at stride 4, a soft one-hot of the class that
    the red channel encodes (red = 60 * class; inputs normalised by
    mean 0, std 1)."""

    def forward(self, x):
        red = F.avg_pool2d(x[:, :1], 4)
        centres = 60. * torch.arange(4.).view(1, 4, 1, 1)
        return (torch.exp(-(red - centres)**2 / 200), )


def blocky_split(num, seed, size=64, block=16):
    """Labels constant on 16 px blocks (some ignored); red encodes them."""
    g = torch.Generator().manual_seed(seed)
    cls = torch.randint(0, 4, (num, size // block, size // block), generator=g)
    labels = cls.repeat_interleave(block, 1).repeat_interleave(block, 2)
    images = torch.randint(0, 256, (num, 3, size, size), generator=g)
    images[:, 0] = (labels * 60 + torch.randint(-5, 6, labels.shape,
                                                generator=g)).clamp(0, 255)
    labels[:, :block, :block] = 255
    return DenseData(images.to(torch.uint8), labels.to(torch.uint8),
                     [f'{i}.png' for i in range(num)])


def test_dense_probe_end_to_end_on_a_label_encoding_backbone():
    train, val = blocky_split(12, 0), blocky_split(6, 1)
    result = dense_probe(LabelEncoder(), train, val, stride=8,
                         mean=(0, 0, 0), std=(1, 1, 1), epochs=5,
                         knn_bank=500, batch_size=5, seed=0)
    assert result['num_classes'] == 4 and result['grid'] == [8, 8]
    assert result['train_pixels'] == 12 * (64 - 4)  # labelled cells
    assert result['bank_pixels'] == 500
    gt = result['predictions']['gt']
    assert gt.shape == (6, 8, 8) and (gt[:, :2, :2] == 255).all()
    np.testing.assert_array_equal(gt, val.labels[:, 4::8, 4::8].numpy())
    for name in ('linear', 'knn'):
        assert result[name]['mIoU'] > 99 and result[name]['aAcc'] > 99, name
        assert result['predictions'][name].shape == (6, 8, 8)


def test_cli_end_to_end(tmp_path, capsys):
    write_cityscapes(tmp_path / 'data')
    out = tmp_path / 'probe.json'
    argv = [SMALL_CONFIG, 'random', '--data-root', str(tmp_path / 'data'),
            '--format', 'cityscapes', '--img-size', '64', '--stage', '3',
            '--out', str(out), '--quiet', '--show-dir', str(tmp_path / 'show'),
            '--show', '2']
    assert probe_cli(argv) == 0
    stdout, stderr = capsys.readouterr()
    assert 'lin mIoU' in stdout and 'random' in stdout
    results = json.loads(out.read_text())['results']
    assert len(results) == 1
    result = results[0]
    assert result['kind'] == 'random' and result['stage'] == 3
    assert result['grid'] == [8, 8] and result['num_classes'] == 3
    # A random backbone's scores are not known in advance; the library's
    # own call on the same data and seed is the second path they must match.
    train, val = (load_split(str(tmp_path / 'data'), 'cityscapes', split, 64)
                  for split in ('train', 'val'))
    want = run_probe(SMALL_CONFIG, 'random', train, val, stage=3, seed=0)
    for probe in ('linear', 'knn'):
        for key in ('mIoU', 'aAcc'):
            assert result[probe][key] == pytest.approx(want[probe][key]), (
                probe, key)
    if importlib.util.find_spec('mmpixpro.visualization'):
        pictures = sorted(os.listdir(tmp_path / 'show'))
        assert pictures == ['0_random_000.png', '0_random_001.png']
        assert Image.open(tmp_path / 'show' / pictures[0]).mode == 'RGB'
    else:
        assert 'mmpixpro.visualization is not available' in stderr

    (tmp_path / 'bad.pth').write_text('not a checkpoint')
    assert probe_cli(argv[:1] + [str(tmp_path / 'bad.pth')] + argv[2:]) == 1
    assert 'error' in capsys.readouterr().err
