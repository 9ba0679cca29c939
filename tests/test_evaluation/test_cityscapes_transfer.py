"""The Cityscapes FCN config with our pre-trained weights, through mmseg's
Runner on generated data in the Cityscapes layout (only paths, image sizes,
iteration counts and norm type overridden)."""
import os.path as osp

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.structures import PixelData

from mmpixpro.evaluation import check_pretrained_weights
from tests.utils import REPO
from tests.utils.fixed_predictions import evaluate, scores_by_loop, val_dataset
from tests.utils.generated_formats import write_cityscapes
from tests.utils.downstream_configs import build_initialised, cpu_config
from tests.test_evaluation.test_weights_arrive import our_backbone

FCN_CONFIG = osp.join(REPO, 'configs', 'benchmarks', 'mmsegmentation',
                      'cityscapes', 'fcn_r50-d8_4xb2-40k_cityscapes-769x769.py')


@pytest.mark.slow
def test_fcn_features_equal_pretrained_backbone(pretrained):
    seg = build_initialised(FCN_CONFIG, pretrained['backbone'])
    check_pretrained_weights(seg)
    ours = our_backbone(pretrained['checkpoint'])
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        # Same weights, so the stem and the undilated stages agree exactly;
        # the dilated stages differ by design (output stride 8 vs 32).
        feats = seg.backbone(x)
        ref = ours.maxpool(ours.relu(ours.norm1(ours.conv1(x))))
        torch.testing.assert_close(feats[0], ours.layer1(ref))
        torch.testing.assert_close(feats[1], ours.layer2(ours.layer1(ref)))


def fcn_cfg(data, work_dir):
    """The config with only paths, image sizes, iteration counts, norm type
    and loader workers overridden."""
    cfg = cpu_config(FCN_CONFIG, work_dir)
    small = (96, 96)
    cfg.model.data_preprocessor.size = small
    cfg.model.test_cfg.crop_size, cfg.model.test_cfg.stride = small, (64, 64)
    train = cfg.train_dataloader.dataset
    train.data_root = data
    train.pipeline[2].scale = (192, 96)
    train.pipeline[3].crop_size = small
    val = cfg.val_dataloader.dataset
    val.data_root = data
    val.pipeline[1].scale = (192, 96)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 2
    cfg.param_scheduler[0].end = 2
    return cfg


@pytest.mark.slow
def test_cityscapes_fcn(tmp_path, pretrained):
    """Smoke test of the chain: our extracted backbone into the config,
    mmseg's Runner trains 2 iterations and evaluates. A 2-iteration model's
    mIoU is not known; test_cityscapes_evaluator_on_fixed_predictions checks
    the scoring."""
    data = write_cityscapes(str(tmp_path / 'cityscapes')) + '/'
    cfg = fcn_cfg(data, str(tmp_path / 'work'))
    cfg.model.backbone.init_cfg.checkpoint = pretrained['backbone']
    with DefaultScope.overwrite_default_scope('mmseg'):
        runner = Runner.from_cfg(cfg)
        runner.train()
        metrics = runner.val_loop.run()
    assert runner.iter == 2
    assert {'aAcc', 'mIoU', 'mAcc'} <= set(metrics), metrics


@pytest.mark.parametrize('wrong', [False, True])
def test_cityscapes_evaluator_on_fixed_predictions(tmp_path, wrong):
    """The config's evaluator (IoUMetric) on the generated val split read
    by the config's val dataset and pipeline: the label maps themselves
    score mIoU 100; with the sky of the first image predicted as road and
    one object of the second as sky, the mIoU is what a loop over the
    pixels gives (ignored pixels ignored)."""
    data = write_cityscapes(str(tmp_path / 'cityscapes')) + '/'
    cfg = fcn_cfg(data, str(tmp_path / 'work'))
    dataset = val_dataset(cfg, 'mmseg')
    assert len(dataset) == 2
    samples, pairs = [], []
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        gt = sample.gt_sem_seg.data.clone()  # (1, H, W) at the image's size
        assert gt.shape[-2:] == (96, 192)
        pred = gt.clone()
        pred[pred == 255] = 0  # some prediction on ignored pixels
        if wrong and i == 0:
            pred[gt == 10] = 0
        if wrong and i == 1:
            objects = sorted(set(gt.unique().tolist()) - {0, 10, 255})
            pred[gt == objects[0]] = 10
        sample.set_field(PixelData(data=pred), 'pred_sem_seg')
        samples.append(sample)
        pairs.append((pred.numpy(), gt.numpy()))
    metrics = evaluate(cfg, 'mmseg', samples, dataset.metainfo)
    want = scores_by_loop(pairs, len(dataset.metainfo['classes']))
    assert (want < 90) if wrong else (want == 100.0)
    assert metrics['mIoU'] == pytest.approx(want, abs=0.01), metrics


@pytest.mark.slow
def test_deep_stem_backbone_is_caught(pretrained):
    # mmseg's default ResNetV1c: its 3-conv stem has no counterpart in the
    # pre-trained weights, and a non-strict load would leave it random.
    seg = build_initialised(
        FCN_CONFIG, pretrained['backbone'],
        edit=lambda cfg: cfg.backbone.update(type='ResNetV1c'))
    with pytest.raises(RuntimeError, match=r'backbone: .* not filled.*stem'):
        check_pretrained_weights(seg)
