"""Settings and label sets the dense probe's scores would mean nothing on
are refused before any work, naming the option and its range: kNN k,
temperature and bank of zero used to print a kNN mIoU with every pixel
predicted as class 0, a background-only label set 100.00, a zero batch
size Python's range() error, and a stride larger than the labels blamed
the data."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from mmpixpro.evaluation import DenseData, dense_probe
from tests.utils.probe_cli import run_probe_cli as run


@pytest.mark.parametrize('option,value,range_', [
    ('--knn-k', '0', 'at least 1'),
    ('--knn-temperature', '0', 'positive'),
    ('--knn-temperature', '-0.07', 'positive'),
    ('--knn-temperature', 'inf', 'positive'),
    ('--knn-bank', '0', 'at least 1'),
    ('--batch-size', '0', 'at least 1'),
    ('--lr', '0', 'positive'),
    ('--max-train-pixels', '0', 'at least 1'),
    ('--max-images', '0', 'at least 1'),
    ('--num-classes', '1', '2..255'),
])
def test_settings_are_refused_before_any_work(data, capsys, option, value,
                                              range_):
    assert run(data, option, value) == 1
    captured = capsys.readouterr()
    assert f'{option} must' in captured.err and value in captured.err
    assert range_ in captured.err
    assert captured.out == ''  # not even the data summary line


@pytest.mark.parametrize('stride,why', [('64', 'is larger than'),
                                        ('12', 'does not divide')])
def test_a_stride_the_labels_cannot_take_names_stride_and_size(
        data, capsys, stride, why):
    assert run(data, '--stride', stride) == 1
    captured = capsys.readouterr()
    assert f'--stride {stride} {why} the label size 32x32' in captured.err
    assert '[1, 2, 4, 8, 16, 32]' in captured.err  # the strides that fit
    assert 'labelled pixel' not in captured.err
    assert captured.out == ''


def write_one_class(root, value=0, size=32):
    """A Cityscapes-layout set whose labels hold ``value`` and 255 only."""
    rng = np.random.default_rng(1)
    for split, count in (('train', 2), ('val', 1)):
        for sub in ('leftImg8bit', 'gtFine'):
            os.makedirs(root / sub / split / 'aachen', exist_ok=True)
        for i in range(count):
            stem = f'aachen_{i:06d}_000019'
            Image.fromarray(rng.integers(0, 256, (size, size, 3),
                                         np.uint8)).save(
                root / 'leftImg8bit' / split / 'aachen' /
                f'{stem}_leftImg8bit.png')
            label = np.full((size, size), value, np.uint8)
            label[:4] = 255
            Image.fromarray(label).save(root / 'gtFine' / split / 'aachen' /
                                        f'{stem}_gtFine_labelTrainIds.png')


@pytest.mark.parametrize('extra', [[], ['--num-classes', '19']])
def test_background_only_labels_are_refused(tmp_path, capsys, extra):
    write_one_class(tmp_path)
    assert run(str(tmp_path), *extra) == 1
    captured = capsys.readouterr()
    assert '100.00' not in captured.out
    assert 'hold 1 class ([0]' in captured.err
    assert 'at least two classes' in captured.err


def split_of(labels):
    labels = torch.as_tensor(labels, dtype=torch.uint8)
    n, h, w = labels.shape
    return DenseData(torch.zeros(n, 3, h, w, dtype=torch.uint8), labels,
                     [f'{i}.png' for i in range(n)])


class Untouchable(torch.nn.Module):

    def forward(self, x):
        raise AssertionError('the backbone ran before the settings check')


@pytest.mark.parametrize('kwargs,option', [
    (dict(knn_k=0), '--knn-k'),
    (dict(knn_temperature=0.), '--knn-temperature'),
    (dict(knn_bank=0), '--knn-bank'),
    (dict(batch_size=0), '--batch-size'),
    (dict(stride=16), '--stride 16'),
])
def test_the_function_refuses_before_the_backbone_runs(kwargs, option):
    split = split_of(np.tile([[0, 1], [1, 2]], (1, 4, 4)))  # 8 x 8
    kwargs.setdefault('stride', 2)
    with pytest.raises(ValueError, match=option):
        dense_probe(Untouchable(), split, split, **kwargs)


def test_the_function_refuses_one_class_and_an_unlabelled_val():
    one = split_of(np.zeros((1, 4, 4)))
    two = split_of(np.tile([[0, 1], [1, 0]], (1, 2, 2)))
    with pytest.raises(ValueError, match=r'hold 1 class \(\[0\]'):
        dense_probe(Untouchable(), one, two, stride=1)
    with pytest.raises(ValueError, match='val split has no labelled pixel'):
        dense_probe(Untouchable(), two, split_of(np.full((1, 4, 4), 255)),
                    stride=1)


def test_knn_small_temperature_is_the_nearest_neighbour():
    """As the temperature goes to 0 the vote is the nearest neighbour's
    label (brute force below); exp(sim / T) used to overflow to inf for
    every neighbour, a tie that class 0 won."""
    from mmpixpro.evaluation.probes import knn_predict
    g = torch.Generator().manual_seed(0)
    bank, queries = torch.randn(50, 8, generator=g), torch.randn(30, 8,
                                                                 generator=g)
    labels = torch.randint(0, 4, (50, ), generator=g)
    sim = torch.nn.functional.normalize(queries, dim=1) @ \
        torch.nn.functional.normalize(bank, dim=1).T
    nearest = labels[sim.argmax(1)]
    assert len(set(nearest.tolist())) > 1
    for t in (1e-5, 1e-6):
        assert torch.equal(knn_predict(bank, labels, queries, 4, 10, t),
                           nearest)
    # At a usual temperature the relative weights give the plain formula's
    # winner (computed here directly).
    top, idx = sim.topk(10, dim=1)
    votes = torch.zeros(30, 4).scatter_add_(1, labels[idx],
                                            (top / 0.5).exp())
    assert torch.equal(knn_predict(bank, labels, queries, 4, 10, 0.5),
                       votes.argmax(1))
