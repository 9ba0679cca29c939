"""The COCO Mask R-CNN transfer configs (FPN and C4): our pre-trained
backbone through extraction into each, trained and evaluated by mmdet's own
Runner on a generated COCO dataset (polygon masks) with only paths, image
sizes, iteration counts, norm type (BN on CPU) and loader workers
overridden; and the FPN model computes our backbone's features."""
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpixpro.evaluation import check_pretrained_weights
from tests.utils import REPO
from tests.utils.fixed_predictions import coco_samples, evaluate
from tests.utils.generated_coco import COCO_CATEGORIES, write_coco
from tests.utils.downstream_configs import build_initialised, cpu_config
from tests.test_evaluation.test_weights_arrive import our_backbone

COCO_DIR = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', 'coco')
FPN_CONFIG = osp.join(COCO_DIR, 'mask-rcnn_r50-fpn_ms-1x_coco.py')
C4_CONFIG = osp.join(COCO_DIR, 'mask-rcnn_r50-c4_ms-1x_coco.py')
METRICS = [f'coco/{kind}_mAP{suffix}' for kind in ('bbox', 'segm')
           for suffix in ('', '_50', '_75')]


def coco_cfg(config, data, work_dir, backbone):
    """The config with only paths, image sizes, iteration counts, norm type
    and loader workers overridden, and our extracted backbone as weights."""
    cfg = cpu_config(config, work_dir)
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


class CollectPredictions(Hook):
    """Keeps what the model predicted for every validation image."""

    def __init__(self):
        self.outputs = []

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None):
        self.outputs.extend(outputs)


def train_and_validate(cfg, masks=True):
    """Smoke test of the chain: mmdet's Runner trains 2 iterations and
    evaluates. After 2 warm-up iterations (lr ~4e-5) the classifier is still
    near-uniform over 80 classes, every score under the configs' score_thr,
    so the model usually detects nothing and CocoMetric reports no metric
    ("results of the whole dataset is empty"): the scores of such a run are
    not known, and test_coco_evaluator_on_fixed_predictions checks the
    scoring instead. Checked here: one prediction per validation image, at
    the image's original size, and full metrics whenever there is a
    detection."""
    collect = CollectPredictions()
    with DefaultScope.overwrite_default_scope('mmdet'):
        runner = Runner.from_cfg(cfg)
        runner.register_hook(collect, priority='LOWEST')
        runner.train()  # validates once at its end (val_interval)
        collect.outputs.clear()
        metrics = runner.val_loop.run()
    assert runner.iter == 2
    dataset = runner.val_loop.dataloader.dataset
    assert len(collect.outputs) == len(dataset)
    detections = 0
    for out in collect.outputs:
        pred, (h, w) = out.pred_instances, out.ori_shape
        k = len(pred)
        detections += k
        assert pred.bboxes.shape == (k, 4) and pred.scores.shape == (k, )
        assert ((pred.labels >= 0) & (pred.labels < 80)).all()
        if masks:
            assert tuple(pred.masks.shape) == (k, h, w)
    keys = METRICS if masks else METRICS[:3]
    if detections:
        for key in keys:
            assert key in metrics and 0 <= metrics[key] <= 1, metrics
    else:
        assert not any(key in metrics for key in keys), metrics
    return runner


@pytest.fixture(scope='module')
def coco_root(tmp_path_factory):
    return write_coco(
        str(tmp_path_factory.mktemp('coco') / 'coco'),
        splits=(('train2017', 4), ('val2017', 2))) + '/'


@pytest.mark.slow
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


@pytest.mark.slow
def test_coco_mask_rcnn_fpn(tmp_path, coco_root, pretrained):
    cfg = coco_cfg(FPN_CONFIG, coco_root, str(tmp_path / 'work'),
                   pretrained['backbone'])
    train_and_validate(cfg)


@pytest.mark.slow
def test_coco_mask_rcnn_c4(tmp_path, coco_root, pretrained):
    cfg = coco_cfg(C4_CONFIG, coco_root, str(tmp_path / 'work'),
                   pretrained['backbone'])
    cfg.model.roi_head.shared_head.init_cfg.checkpoint = \
        pretrained['backbone']
    train_and_validate(cfg)


@pytest.mark.parametrize('shifted,expected', [
    (False, dict(bbox_mAP=1.0, bbox_mAP_50=1.0, bbox_mAP_75=1.0,
                 segm_mAP=1.0, segm_mAP_50=1.0, segm_mAP_75=1.0)),
    # boxes at IoU 0.62: matched at 0.5, 0.55, 0.6 of the ten thresholds;
    # the masks are still the objects'
    (True, dict(bbox_mAP=0.3, bbox_mAP_50=1.0, bbox_mAP_75=0.0,
                segm_mAP=1.0)),
])
@pytest.mark.parametrize('config', [FPN_CONFIG, C4_CONFIG])
def test_coco_evaluator_on_fixed_predictions(coco_root, config, shifted,
                                             expected):
    """The config's evaluator (CocoMetric, bbox and segm) on the generated
    val2017 with its objects as predictions."""
    from mmdet.datasets import CocoDataset
    cfg = coco_cfg(config, coco_root, 'unused', 'unused')
    samples = coco_samples(cfg.val_evaluator.ann_file, shifted)
    assert len(samples) == 2
    metrics = evaluate(cfg, 'mmdet', samples, CocoDataset.METAINFO)
    for key, value in expected.items():
        assert metrics[f'coco/{key}'] == pytest.approx(value, abs=1e-3), \
            metrics


def build_fpn(backbone_file):
    return build_initialised(FPN_CONFIG, backbone_file)


@pytest.mark.slow
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
