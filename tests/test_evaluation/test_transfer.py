"""Pre-trained weights of ours through extraction into the downstream
configs, run by mmdet's / mmseg's own Runner on generated data in the real
formats. Only paths, image sizes, iteration counts and norm type (BN on CPU)
are overridden."""
import os.path as osp

import pytest
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpixpro.evaluation import set_pretrained
from tests.utils import REPO
from tests.utils.fixed_predictions import (detection_samples, evaluate,
                                           val_dataset)
from tests.utils.generated_formats import write_voc
from tests.utils.downstream_configs import cpu_config

VOC_CONFIG = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', 'voc0712',
                      'faster-rcnn_r50-c4_ms-24k_voc0712.py')


def voc_cfg(data, work_dir):
    """The config with only paths, image sizes, iteration counts, norm type
    and loader workers overridden."""
    cfg = cpu_config(VOC_CONFIG, work_dir)
    for ds in cfg.train_dataloader.dataset.datasets:
        ds.data_root = data
        ds.pipeline[2].scales = [(160, 96), (192, 128)]
    cfg.val_dataloader.dataset.data_root = data
    cfg.val_dataloader.dataset.pipeline[1].scale = (160, 128)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 2
    return cfg


@pytest.mark.slow
def test_voc_faster_rcnn_c4(tmp_path, pretrained):
    """Smoke test of the chain: our extracted backbone into the config,
    mmdet's Runner trains 2 iterations and evaluates. After 2 warm-up
    iterations the detector's output is noise, so its scores are not
    known; test_voc_evaluator_on_fixed_predictions checks the scoring."""
    data = write_voc(str(tmp_path / 'VOCdevkit')) + '/'
    cfg = voc_cfg(data, str(tmp_path / 'work'))
    assert set_pretrained(cfg.model, pretrained['backbone']) == 2

    with DefaultScope.overwrite_default_scope('mmdet'):
        runner = Runner.from_cfg(cfg)
        runner.train()
        metrics = runner.val_loop.run()
    assert runner.iter == 2
    assert {'pascal_voc/mAP', 'pascal_voc/AP50',
            'pascal_voc/AP75'} <= set(metrics), metrics


@pytest.mark.parametrize('shifted,expected', [
    (False, dict(mAP=1.0, AP50=1.0, AP75=1.0)),
    # matched at IoU 0.5, 0.55, 0.6 of the config's ten thresholds
    (True, dict(mAP=0.3, AP50=1.0, AP75=0.0)),
])
def test_voc_evaluator_on_fixed_predictions(tmp_path, shifted, expected):
    """The config's VOC07 evaluator (11 points, IoU 0.5:0.95) on the
    generated VOC07 test split read by the config's own val dataset and
    pipeline, with the ground truth boxes (shifted or not) as
    predictions."""
    data = write_voc(str(tmp_path / 'VOCdevkit')) + '/'
    cfg = voc_cfg(data, str(tmp_path / 'work'))
    dataset = val_dataset(cfg, 'mmdet')
    assert len(dataset) == 3
    samples = detection_samples(dataset, shifted)
    metrics = evaluate(cfg, 'mmdet', samples, dataset.metainfo)
    for key, value in expected.items():
        assert metrics[f'pascal_voc/{key}'] == pytest.approx(
            value, abs=1e-3), metrics
