"""The downstream launcher refuses wrong weights and missing data folders
before building anything, saying what it expected."""
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch
import torchvision

from tests.utils import REPO, run_tool
from tests.test_evaluation.test_transfer import VOC_CONFIG

pytestmark = pytest.mark.slow
TRAIN = osp.join(REPO, 'tools', 'benchmarks', 'train_downstream.py')


def launch(*args):
    return run_tool([sys.executable, TRAIN, VOC_CONFIG, *args], timeout=300)


def test_wrong_weights_are_named(tmp_path, pretrained):
    tv = tmp_path / 'torchvision.pth'
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), tv)
    d2 = tmp_path / 'd2.pkl'
    with open(d2, 'wb') as f:
        pickle.dump(dict(model={'stem.conv1.weight': np.ones(1)}), f)
    cases = {
        pretrained['checkpoint']: 'run tools/model_converters/extract_backbone',
        str(tv): 'torchvision-style ResNet',
        str(d2): 'detectron2 weights file',
        str(tmp_path / 'nowhere.pth'): 'do not exist',
    }
    for path, message in cases.items():
        proc = launch('--pretrained', path, '--work-dir', str(tmp_path / 'w'))
        assert proc.returncode != 0
        assert message in proc.stderr, (path, proc.stderr[-2000:])


def test_missing_data_root_is_named(tmp_path, pretrained):
    proc = launch('--pretrained', pretrained['backbone'], '--work-dir',
                  str(tmp_path / 'w'), '--cfg-options',
                  f'val_dataloader.dataset.data_root={tmp_path}/no_voc/')
    assert proc.returncode != 0
    assert 'data folder not found' in proc.stderr
    assert 'no_voc' in proc.stderr
    assert 'val_dataloader.dataset.data_root' in proc.stderr
