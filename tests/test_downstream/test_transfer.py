"""Pre-trained weights of ours through extraction into the downstream
configs, run by mmdet's / mmseg's own Runner on generated data in the real
formats. Only paths, image sizes, iteration counts and norm type (BN on CPU)
are overridden."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpixpro.downstream import set_pretrained

from tests.conftest import REPO
from tests.test_downstream.helpers import cpu_loaders, use_bn
from tests.test_downstream.generated_formats import write_voc

pytestmark = pytest.mark.slow
VOC_CONFIG = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', 'voc0712',
                      'faster-rcnn_r50-c4_ms-24k_voc0712.py')


def test_voc_faster_rcnn_c4(tmp_path, pretrained):
    backbone = pretrained['backbone']
    data = write_voc(str(tmp_path / 'VOCdevkit')) + '/'
    cfg = Config.fromfile(VOC_CONFIG)
    cfg.work_dir = str(tmp_path / 'work')
    use_bn(cfg.model)
    cpu_loaders(cfg)
    for ds in cfg.train_dataloader.dataset.datasets:
        ds.data_root = data
        ds.pipeline[2].scales = [(160, 96), (192, 128)]
    cfg.val_dataloader.dataset.data_root = data
    cfg.val_dataloader.dataset.pipeline[1].scale = (160, 128)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 2
    assert set_pretrained(cfg.model, backbone) == 2

    with DefaultScope.overwrite_default_scope('mmdet'):
        runner = Runner.from_cfg(cfg)
        runner.train()
        metrics = runner.val_loop.run()
    for key in ('pascal_voc/mAP', 'pascal_voc/AP50', 'pascal_voc/AP75'):
        assert key in metrics and 0 <= metrics[key] <= 100, metrics
