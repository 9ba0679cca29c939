"""The small config's data pipelines (the recipe's, docs/recipe.md, "Data")
end to end: the fast path (its train pipeline) and the PIL path (the train
pipeline of configs/_base_/datasets/imagenet_pixpro_pil.py)."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from mmpixpro.datasets.generated_scenes import write_unlabeled_folder
from mmpixpro.registry import DATASETS, TRANSFORMS
from tests.utils import REPO, SMALL_CONFIG

PIL_DATA = osp.join(REPO, 'configs', '_base_', 'datasets',
                    'imagenet_pixpro_pil.py')


@pytest.fixture(scope='module')
def dataset_cfg():
    """The PIL path's dataset."""
    cfg = Config.fromfile(SMALL_CONFIG)
    dataset = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset.pipeline = Config.fromfile(PIL_DATA).train_pipeline
    return dataset


@pytest.mark.parametrize('path', ['fast', 'pil'])
def test_samples_carry_two_views_and_their_boxes(tmp_path, dataset_cfg, path):
    write_unlabeled_folder(str(tmp_path), num=4, size=(90, 120))
    dataset_cfg = copy.deepcopy(dataset_cfg)
    dataset_cfg.update(data_root=str(tmp_path), data_prefix='')
    if path == 'fast':
        dataset_cfg.pipeline = Config.fromfile(
            SMALL_CONFIG).train_dataloader.dataset.pipeline
    ds = DATASETS.build(dataset_cfg)
    sample = ds[0]
    views = sample['inputs']
    assert len(views) == 2
    for v in views:
        assert v.shape == (3, 224, 224) and v.dtype == torch.uint8
    coord = sample['data_samples'].coord
    assert coord.shape == (2, 4) and coord.dtype == torch.float32
    assert 0 <= coord.min() and coord.max() <= 1
    if path == 'fast':
        params = sample['data_samples'].photometric
        assert params.shape == (2, 13) and params.dtype == torch.float32
    else:
        assert 'photometric' not in sample['data_samples']


def test_hue_jitter_never_fails(dataset_cfg):
    # The recipe's hue 0.1 goes through torchvision's ColorJitter, as in the
    # released code. (mmcv 2.1's adjust_hue, used by mmpretrain's
    # ColorJitter, overflows under numpy 2 for negative hue factors.)
    views = dataset_cfg.pipeline[1].transforms
    jitter = TRANSFORMS.build(views[0][2])  # RandomApply(ColorJitter)
    jitter.prob = 1.0
    rng = np.random.default_rng(0)
    for _ in range(200):
        img = Image.fromarray(rng.integers(0, 256, (24, 24, 3), np.uint8))
        out = jitter(dict(img=img))
        assert out['img'].size == (24, 24)


def test_views_are_asymmetric(dataset_cfg):
    v1, v2 = dataset_cfg.pipeline[1].transforms
    blur = [t for t in v1 if t['type'] == 'RandomApply'
            and t['transforms'][0]['type'] == 'PILGaussianBlur']
    assert blur[0]['prob'] == 1.0
    blur = [t for t in v2 if t['type'] == 'RandomApply'
            and t['transforms'][0]['type'] == 'PILGaussianBlur']
    assert blur[0]['prob'] == 0.1
    assert not any('Solarize' in t['type'] for t in v1)
    solarize = [t for t in v2 if 'Solarize' in t['type']][0]
    assert solarize['p'] == 0.2 and solarize['threshold'] == 128
