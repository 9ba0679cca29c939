"""Every config parses and builds its model and pipeline; the released
recipe's numbers (../shared/pixpro-reference.md, sections 1 to 6) are the
configs' values."""
import glob
import os.path as osp

import pytest
from mmcv.transforms import Compose
from mmengine.config import Config

from mmpixpro.registry import DATASETS, MODELS
from tests.conftest import REPO

CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


def test_configs_found():
    names = {osp.relpath(p, osp.join(REPO, 'configs')) for p in CONFIGS}
    assert {'pixpro/pixpro_r50_8xb128.py', 'pixpro/pixpro_r50_8xb128-400e.py',
            'pixpro/pixpro-ins_r50_8xb128.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.basename(p))
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpixpro'
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'PixPro'
    Compose(cfg.train_dataloader.dataset.pipeline)
    assert DATASETS.get(cfg.train_dataloader.dataset.type) is not None


def released(path='pixpro/pixpro_r50_8xb128.py'):
    return Config.fromfile(osp.join(REPO, 'configs', path))


def test_released_recipe_values():
    cfg = released()
    m = cfg.model
    assert m.backbone.depth == 50 and m.backbone.out_indices == (3, )
    assert m.backbone.zero_init_residual
    assert m.backbone.norm_cfg.type == 'SyncBN'
    assert (m.neck.in_channels, m.neck.hid_channels,
            m.neck.out_channels) == (2048, 4096, 256)
    assert m.base_momentum == 0.99
    assert m.head.pos_threshold == 0.7
    ppm = m.head.predictor
    assert (ppm.gamma, ppm.clamp_min, ppm.num_transform_layers) == (2., 0., 1)
    assert m.instance_loss_weight == 0
    assert cfg.train_dataloader.batch_size == 128
    assert cfg.train_dataloader.dataset.data_root == 'data/imagenet'
    opt = cfg.optim_wrapper
    assert opt.type == 'AmpOptimWrapper'
    assert opt.optimizer.type == 'PixProLARS'
    assert (opt.optimizer.lr, opt.optimizer.momentum, opt.optimizer.eta,
            opt.optimizer.eps, opt.optimizer.weight_decay) == (4.0, 0.9, 1e-3,
                                                               1e-8, 1e-5)
    warmup, cosine = cfg.param_scheduler
    assert (warmup.start_factor, warmup.end) == (0.01, 5)
    assert (cosine.begin, cosine.end, cosine.eta_min) == (5, 100, 1e-6)
    assert cosine.T_max == cosine.end - cosine.begin
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.auto_scale_lr.base_batch_size == 1024
    crop = cfg.view_pipeline1[0]
    assert (crop.size, crop.scale, crop.interpolation) == (224, (0.08, 1.),
                                                           'bilinear')


def test_variants():
    long = released('pixpro/pixpro_r50_8xb128-400e.py')
    assert long.train_cfg.max_epochs == 400
    assert long.param_scheduler[1].end == 400
    assert long.param_scheduler[1].T_max == 395
    ins = released('pixpro/pixpro-ins_r50_8xb128.py')
    assert ins.model.instance_loss_weight == 1.
