"""Head network pre-training to mmdet: extract_backbone_weights.py
--with-neck on checkpoints of the two R50 FPN pre-training configs, and the
FCOS and Mask R-CNN transfer configs built from it (BN instead of SyncBN)
hold the checkpoint's backbone, FPN and towers and compute our pre-trained
encoder's features; the check fails when the FPN or the towers are left to
their init."""
import copy
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmpixpro.evaluation import check_pretrained_weights, set_pretrained
from mmpixpro.registry import MODELS as PIXPRO_MODELS
from mmpixpro.utils import syncbn_to_bn
from tests.utils import REPO, load_tool_main
from tests.utils.generated_coco import write_coco
from tests.utils.downstream_configs import build_initialised, cpu_config
from tests.utils.fixed_predictions import coco_samples, evaluate
from tests.test_evaluation.test_coco_transfer import (FPN_CONFIG,
                                                      train_and_validate)

pytestmark = pytest.mark.slow  # builds ResNet-50 PixPro models and detectors

extract = load_tool_main('model_converters', 'extract_backbone_weights.py')
PIXPRO = osp.join(REPO, 'configs', 'pixpro')
PRETRAIN = dict(
    fpn=osp.join(PIXPRO, 'pixpro_r50-fpn_8xb128.py'),
    fcoshead=osp.join(PIXPRO, 'pixpro_r50-fpn-fcoshead_8xb128.py'))
COCO_DIR = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', 'coco')
FCOS_CONFIG = osp.join(COCO_DIR, 'fcos_r50-fpn_1x_coco.py')
NECK_CONFIG = osp.join(COCO_DIR, 'mask-rcnn_r50-fpn-pixpro-neck_ms-1x_coco.py')
PREDICTORS = ('conv_cls.', 'conv_reg.', 'conv_centerness.', 'scales.')


def pretrain_model_cfg(kind):
    cfg = copy.deepcopy(Config.fromfile(PRETRAIN[kind]).model)
    syncbn_to_bn(cfg)
    # The contiguous layout, as mmdet's models use: the features below are
    # compared exactly, and NHWC convolutions round differently (about 2e-6
    # of the largest value). The layout's own test: test_speed_levers.py.
    cfg.channels_last = False
    return cfg


def eval_mode(model):
    # mmpretrain's ResNet.train() returns None: set each part by itself.
    for part in ('backbone', 'fpn', 'towers'):
        if hasattr(model, part):
            getattr(model, part).eval()
    return model


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    """Per pre-training config: an R50 checkpoint as the Runner writes it
    (every online tensor moved off its init, the target different again),
    and its extraction with --with-neck. About 700 MB, removed afterwards."""
    root = tmp_path_factory.mktemp('fpn_pretrain')
    out = {}
    for kind in PRETRAIN:
        torch.manual_seed(0)
        model = PIXPRO_MODELS.build(pretrain_model_cfg(kind))
        model.init_weights()
        with torch.no_grad():
            for name, t in model.state_dict().items():
                if not t.is_floating_point():  # counters
                    continue
                if name.startswith('target_net.'):
                    t.add_(1.)
                elif name.endswith('running_var'):
                    t.mul_(torch.rand_like(t) + 0.5)
                else:
                    t.add_(0.1 * torch.randn_like(t))
        ckpt = str(root / f'{kind}_epoch_100.pth')
        torch.save(dict(meta=dict(epoch=100), state_dict=model.state_dict(),
                        message_hub=dict()), ckpt)
        neck = str(root / f'{kind}_neck.pth')
        assert extract([ckpt, neck, '--with-neck']) == 0
        out[kind] = dict(checkpoint=ckpt, neck=neck, model=eval_mode(model))
    yield out
    shutil.rmtree(root, ignore_errors=True)


def load_weights(path):
    return torch.load(path, weights_only=True)['state_dict']


def test_with_neck_writes_fpn_and_towers(checkpoints, tmp_path):
    from mmdet.models.dense_heads import FCOSHead
    from mmdet.models.necks import FPN
    for kind, ckpt in checkpoints.items():
        model, weights = ckpt['model'], load_weights(ckpt['neck'])
        # The backbone part is exactly the default extraction.
        plain = str(tmp_path / f'{kind}_backbone.pth')
        assert extract([ckpt['checkpoint'], plain]) == 0
        backbone = load_weights(plain)
        assert not any(k.startswith(('neck.', 'bbox_head.')) for k in backbone)
        assert {k: v for k, v in weights.items() if k in backbone}.keys() == \
            backbone.keys()
        # neck.*: mmdet's FPN keys, the online FPN's tensors.
        neck = {k[len('neck.'):]: v for k, v in weights.items()
                if k.startswith('neck.')}
        fpn_cfg = dict(pretrain_model_cfg(kind).fpn)
        fpn_cfg.pop('type')
        assert neck.keys() == FPN(**fpn_cfg).state_dict().keys()
        for key, value in model.fpn.state_dict().items():
            assert torch.equal(neck[key], value), key
        heads = {k: v for k, v in weights.items()
                 if k.startswith('bbox_head.')}
        assert set(weights) == set(backbone) | {'neck.' + k for k in neck} \
            | set(heads)
        if kind == 'fpn':
            assert heads == {}
            continue
        # bbox_head.{cls,reg}_convs.*: FCOSHead's tower keys, both the one
        # pre-trained tower.
        with DefaultScope.overwrite_default_scope('mmdet'):
            fcos = FCOSHead(num_classes=80, in_channels=256).state_dict()
        tower_keys = {k for k in fcos if k.startswith(('cls_convs.',
                                                        'reg_convs.'))}
        assert {k[len('bbox_head.'):] for k in heads} == tower_keys
        for key, value in model.towers.state_dict().items():
            key = key[len('convs.'):]
            assert torch.equal(heads[f'bbox_head.cls_convs.{key}'], value)
            assert torch.equal(heads[f'bbox_head.reg_convs.{key}'], value)


def test_with_neck_target(checkpoints, tmp_path):
    ckpt = checkpoints['fcoshead']
    out = str(tmp_path / 'target.pth')
    assert extract([ckpt['checkpoint'], out, '--with-neck', '--target']) == 0
    weights = load_weights(out)
    target = ckpt['model'].target_net.module
    for key, value in target.fpn.state_dict().items():
        assert torch.equal(weights['neck.' + key], value), key
    for key, value in target.towers.state_dict().items():
        key = key[len('convs.'):]
        assert torch.equal(weights[f'bbox_head.reg_convs.{key}'], value)


def test_with_neck_is_refused_without_an_fpn(tmp_path, capsys):
    from tests.utils import SMALL_CONFIG
    from tests.released_layout import released_checkpoint
    model = PIXPRO_MODELS.build(Config.fromfile(SMALL_CONFIG).model)
    ours = str(tmp_path / 'plain.pth')
    torch.save(dict(state_dict=model.state_dict()), ours)
    released = str(tmp_path / 'released.pth')
    torch.save(released_checkpoint(), released)
    for src in (ours, released):
        out = tmp_path / 'out.pth'
        assert extract([src, str(out), '--with-neck']) == 1
        assert not out.exists()
        err = capsys.readouterr().err
        assert 'no online FPN' in err and 'without one' in err
        assert 'leave out --with-neck' in err


def encoder_levels(model, x):
    """Our pre-trained encoder's FPN outputs (through the towers)."""
    outs = model.fpn(model.backbone(x))
    return outs, (model.towers(outs) if hasattr(model, 'towers') else None)


def test_fcos_takes_backbone_fpn_and_towers(checkpoints):
    ckpt = checkpoints['fcoshead']
    det = build_initialised(FCOS_CONFIG, ckpt['neck'])
    reports = check_pretrained_weights(det)
    assert set(reports) == {'backbone', 'neck', 'bbox_head', 'unexpected'}
    for part in ('backbone', 'neck', 'bbox_head'):
        assert reports[part]['different'] == [], part
    assert reports['backbone']['missing'] == []
    assert reports['neck']['missing'] == []
    # Only FCOS's predictors keep their own init.
    missing = reports['bbox_head']['missing']
    assert missing and all(k.startswith(PREDICTORS) for k in missing)
    assert reports['unexpected'] == {ckpt['neck']: []}

    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        feats = det.neck(det.backbone(x))
        ours, ours_towers = encoder_levels(ckpt['model'], x)
        assert len(feats) == len(ours) == 5
        for level, (got, want, tower) in enumerate(
                zip(feats, ours, ours_towers)):
            torch.testing.assert_close(got, want)
            for convs in (det.bbox_head.cls_convs, det.bbox_head.reg_convs):
                y = got
                for conv in convs:
                    y = conv(y)
                torch.testing.assert_close(y, tower)


def test_mask_rcnn_takes_backbone_and_fpn(checkpoints):
    ckpt = checkpoints['fpn']
    det = build_initialised(NECK_CONFIG, ckpt['neck'])
    reports = check_pretrained_weights(det)
    assert set(reports) == {'backbone', 'neck', 'unexpected'}
    for part in ('backbone', 'neck'):
        assert reports[part]['missing'] == reports[part]['different'] == []
    assert reports['unexpected'] == {ckpt['neck']: []}
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        feats = det.neck(det.backbone(x))
        ours, _ = encoder_levels(ckpt['model'], x)
        assert len(feats) == len(ours) == 5  # P2-P6
        for got, want in zip(feats, ours):
            torch.testing.assert_close(got, want)


def test_check_fails_when_the_fpn_is_left_random(checkpoints):
    ckpt = checkpoints['fpn']
    # The backbone-only config given the file with the FPN: the FPN keeps
    # its random init although the checkpoint has it.
    det = build_initialised(FPN_CONFIG, ckpt['neck'])
    with pytest.raises(RuntimeError, match='no Pretrained init_cfg loads'):
        check_pretrained_weights(det)
    # The FPN variant whose FPN did not get the checkpoint's weights.
    det = build_initialised(NECK_CONFIG, ckpt['neck'])
    with torch.no_grad():
        det.neck.fpn_convs[0].conv.weight.normal_()
    with pytest.raises(RuntimeError, match='neck: 1 tensors not filled'):
        check_pretrained_weights(det)


def test_check_fails_when_a_tower_is_left_random(checkpoints):
    det = build_initialised(FCOS_CONFIG, checkpoints['fcoshead']['neck'])
    with torch.no_grad():
        det.bbox_head.reg_convs[3].gn.weight.fill_(1.)
    with pytest.raises(RuntimeError, match='bbox_head: 1 tensors not filled'):
        check_pretrained_weights(det)


def fcos_cfg(data, work_dir):
    """The FCOS config with only paths, image sizes, iteration counts, norm
    type and loader workers changed."""
    cfg = cpu_config(FCOS_CONFIG, work_dir)
    train, val = cfg.train_dataloader.dataset, cfg.val_dataloader.dataset
    assert train.pipeline[2].type == 'RandomChoiceResize'
    train.pipeline[2].scales = [(128, 96)]
    assert val.pipeline[1].type == 'Resize'
    val.pipeline[1].scale = (128, 96)
    train.data_root = val.data_root = data
    cfg.test_dataloader = cfg.val_dataloader
    cfg.val_evaluator.ann_file = osp.join(data, val.ann_file)
    cfg.test_evaluator = cfg.val_evaluator
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 2
    return cfg


def test_fcos_trains_and_evaluates(checkpoints, tmp_path):
    """Smoke test: the FCOS config through mmdet's Runner (its check hook
    included) on a generated COCO. After 2 warm-up iterations every score
    is still ~0.01 (FCOS's prior), under score_thr 0.05, so there is
    usually nothing to score (see train_and_validate);
    test_fcos_evaluator_on_fixed_predictions checks the scoring."""
    data = write_coco(str(tmp_path / 'coco'),
                      splits=(('train2017', 2), ('val2017', 2))) + '/'
    cfg = fcos_cfg(data, str(tmp_path / 'work'))
    set_pretrained(cfg.model, checkpoints['fcoshead']['neck'])
    train_and_validate(cfg, masks=False)


@pytest.mark.parametrize('shifted,expected', [
    (False, dict(bbox_mAP=1.0, bbox_mAP_50=1.0, bbox_mAP_75=1.0)),
    (True, dict(bbox_mAP=0.3, bbox_mAP_50=1.0, bbox_mAP_75=0.0)),
])
def test_fcos_evaluator_on_fixed_predictions(tmp_path, shifted, expected):
    """The FCOS config's evaluator (bbox only) on the generated val2017
    with its objects (shifted to IoU 0.62 or not) as predictions."""
    from mmdet.datasets import CocoDataset
    data = write_coco(str(tmp_path / 'coco'),
                      splits=(('train2017', 1), ('val2017', 2))) + '/'
    cfg = fcos_cfg(data, str(tmp_path / 'work'))
    samples = coco_samples(cfg.val_evaluator.ann_file, shifted)
    for sample in samples:
        del sample['pred_instances']['masks']
    metrics = evaluate(cfg, 'mmdet', samples, CocoDataset.METAINFO)
    assert not any(k.startswith('coco/segm') for k in metrics)
    for key, value in expected.items():
        assert metrics[f'coco/{key}'] == pytest.approx(value, abs=1e-3), \
            metrics
