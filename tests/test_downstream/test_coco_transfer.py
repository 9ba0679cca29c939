"""The COCO Mask R-CNN transfer configs (FPN and C4): our pre-trained
backbone through extraction into each, trained and evaluated by mmdet's own
Runner on a generated COCO dataset (polygon masks) with only paths, image
sizes, iteration counts, norm type (BN on CPU) and loader workers
overridden; and the FPN model computes our backbone's features."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpixpro.downstream import check_pretrained_weights
from tests.conftest import REPO
from tests.test_downstream.generated_coco import COCO_CATEGORIES, write_coco
from tests.test_downstream.helpers import (build_initialised, cpu_loaders,
                                           use_bn)
from tests.test_downstream.test_weights_arrive import our_backbone

pytestmark = pytest.mark.slow
COCO_DIR = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', 'coco')
FPN_CONFIG = osp.join(COCO_DIR, 'mask-rcnn_r50-fpn_ms-1x_coco.py')
C4_CONFIG = osp.join(COCO_DIR, 'mask-rcnn_r50-c4_ms-1x_coco.py')
METRICS = [f'coco/{kind}_mAP{suffix}' for kind in ('bbox', 'segm')
           for suffix in ('', '_50', '_75')]


def coco_cfg(config, data, work_dir, backbone):
    """The config with only paths, image sizes, iteration counts, norm type
    and loader workers overridden, and our extracted backbone as weights."""
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    use_bn(cfg.model)
    cpu_loaders(cfg)
    train = cfg.train_dataloader.dataset
    assert train.pipeline[2].type == 'RandomChoiceResize'
    train.data_root = data
    train.pipeline[2].scales = [(128, 96), (160, 128)]
    val = cfg.val_dataloader.dataset
    assert val.pipeline[1].type == 'Resize'
    val.data_root = data
    val.pipeline[1].scale = (128, 96)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.val_evaluator.ann_file = osp.join(data, val.ann_file)
    cfg.test_evaluator = cfg.val_evaluator
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 2
    cfg.model.backbone.init_cfg.checkpoint = backbone
    return cfg


def favour_present_classes(model, labels=range(4), logit=4.0):
    """Raise the box classifier's logits of the classes the generated data
    has (labels 0-3), weights only. After 2 warm-up iterations (lr ~4e-5) the
    classifier is still at its init, near-uniform over 81 classes, so every
    score is under the configs' score_thr 0.05: the model detects nothing and
    CocoMetric reports no metric at all ("results of the whole dataset is
    empty"). With the bias each RoI scores ~0.18 for each of the 4 classes,
    and detections and masks go through the configs' unchanged test_cfg."""
    with torch.no_grad():
        model.roi_head.bbox_head.fc_cls.bias[list(labels)] += logit


def train_and_validate(cfg):
    with DefaultScope.overwrite_default_scope('mmdet'):
        runner = Runner.from_cfg(cfg)
        runner.train()
        favour_present_classes(runner.model)
        metrics = runner.val_loop.run()
    for key in METRICS:
        assert key in metrics and math.isfinite(metrics[key]), metrics
        assert 0 <= metrics[key] <= 1, metrics
    return runner


@pytest.fixture(scope='module')
def coco_root(tmp_path_factory):
    return write_coco(
        str(tmp_path_factory.mktemp('coco') / 'coco'),
        splits=(('train2017', 4), ('val2017', 2))) + '/'


def test_generated_coco_is_read_as_coco(coco_root):
    from mmdet.datasets import CocoDataset
    assert tuple(n for _, n in COCO_CATEGORIES) == \
        CocoDataset.METAINFO['classes']
    ds = CocoDataset(
        data_root=coco_root, ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'), test_mode=True, pipeline=[])
    assert len(ds) == 2
    info = ds.get_data_info(0)
    assert info['instances'] and all(
        0 <= inst['bbox_label'] < 4 and len(inst['mask'][0]) >= 8
        for inst in info['instances'])


def test_coco_mask_rcnn_fpn(tmp_path, coco_root, pretrained):
    cfg = coco_cfg(FPN_CONFIG, coco_root, str(tmp_path / 'work'),
                   pretrained['backbone'])
    train_and_validate(cfg)


def test_coco_mask_rcnn_c4(tmp_path, coco_root, pretrained):
    cfg = coco_cfg(C4_CONFIG, coco_root, str(tmp_path / 'work'),
                   pretrained['backbone'])
    cfg.model.roi_head.shared_head.init_cfg.checkpoint = \
        pretrained['backbone']
    train_and_validate(cfg)


def build_fpn(backbone_file):
    return build_initialised(FPN_CONFIG, backbone_file)


def test_fpn_features_equal_pretrained_backbone(pretrained):
    ours = our_backbone(pretrained['checkpoint'])
    det = build_fpn(pretrained['backbone'])
    reports = check_pretrained_weights(det)
    assert set(reports) == {'backbone', 'unexpected'}
    assert reports['backbone']['missing'] == []
    assert reports['backbone']['different'] == []
    assert reports['unexpected'] == {pretrained['backbone']: []}
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        feats = det.backbone(x)
        y = ours.maxpool(ours.relu(ours.norm1(ours.conv1(x))))
        expected = []
        for layer in (ours.layer1, ours.layer2, ours.layer3, ours.layer4):
            y = layer(y)
            expected.append(y)
    assert len(feats) == 4
    for got, want in zip(feats, expected):
        torch.testing.assert_close(got, want)
