"""The Cityscapes FCN config with our pre-trained weights, through mmseg's
Runner on generated data in the Cityscapes layout (only paths, image sizes,
iteration counts and norm type overridden)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpixpro.downstream import check_pretrained_weights
from tests.conftest import REPO
from tests.test_downstream.generated_formats import write_cityscapes
from tests.test_downstream.helpers import (build_initialised, cpu_loaders,
                                           use_bn)
from tests.test_downstream.test_weights_arrive import our_backbone

pytestmark = pytest.mark.slow
FCN_CONFIG = osp.join(REPO, 'configs', 'benchmarks', 'mmsegmentation',
                      'cityscapes', 'fcn_r50-d8_4xb2-40k_cityscapes-769x769.py')


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


def test_cityscapes_fcn(tmp_path, pretrained):
    data = write_cityscapes(str(tmp_path / 'cityscapes')) + '/'
    cfg = Config.fromfile(FCN_CONFIG)
    cfg.work_dir = str(tmp_path / 'work')
    use_bn(cfg.model)
    cpu_loaders(cfg)
    cfg.model.backbone.init_cfg.checkpoint = pretrained['backbone']
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
    with DefaultScope.overwrite_default_scope('mmseg'):
        runner = Runner.from_cfg(cfg)
        runner.train()
        metrics = runner.val_loop.run()
    assert 'mIoU' in metrics and 0 <= metrics['mIoU'] <= 100, metrics


def test_deep_stem_backbone_is_caught(pretrained):
    # mmseg's default ResNetV1c: its 3-conv stem has no counterpart in the
    # pre-trained weights, and a non-strict load would leave it random.
    seg = build_initialised(
        FCN_CONFIG, pretrained['backbone'],
        edit=lambda cfg: cfg.backbone.update(type='ResNetV1c'))
    with pytest.raises(RuntimeError, match=r'backbone: .* not filled.*stem'):
        check_pretrained_weights(seg)
