"""The ConvNeXt-T and Swin-T transfer configs (mmdet Mask R-CNN FPN 1x,
mmseg UperNet on Cityscapes) take the backbone file that
extract_backbone_weights.py writes from the matching pre-training config,
with every tensor arriving: each config is built from the file, shrunk by
config edits here to the narrow variants of
tests/test_models/test_other_backbones.py, and initialised; the weight
check then compares every backbone tensor with the file."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmpixpro.converters import extract_backbone
from mmpixpro.evaluation import check_pretrained_weights
from mmpixpro.evaluation.weight_check import is_new_module
from mmpixpro.registry import MODELS
from mmpixpro.utils import quiet_mmengine
from tests.utils import REPO
from tests.utils.downstream_configs import build_initialised
from tests.test_models.test_other_backbones import (TINY_BACKBONES, WIDTHS,
                                                  tiny_config)

BENCH = osp.join(REPO, 'configs', 'benchmarks')
# family -> the transfer configs of its pre-training config
TRANSFER = {
    'ConvNeXt': [
        'mmdetection/coco/'
        'mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-1x_coco.py',
        'mmsegmentation/cityscapes/'
        'convnext-tiny_upernet_8xb2-amp-80k_cityscapes-512x1024.py',
    ],
    'SwinTransformer': [
        'mmdetection/coco/mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py',
        'mmsegmentation/cityscapes/'
        'swin-tiny-patch4-window7_upernet_8xb2-80k_cityscapes-512x1024.py',
    ],
}


def shrink_downstream(family):
    """The narrow variant's widths in a downstream model config: the
    backbone (mmpretrain's ConvNeXt and Swin; mmseg's own Swin, with its
    argument names), the FPN's or UperNet's inputs, narrow heads."""

    def edit(model):
        backbone = model.backbone
        if backbone.type.startswith('mmpretrain.'):
            backbone.update(TINY_BACKBONES[family])
        else:
            backbone.update(embed_dims=WIDTHS[0], depths=[1, 1, 1, 1],
                            num_heads=[1, 1, 1, 1], window_size=2)
        if 'neck' in model:  # Mask R-CNN
            model.neck.update(in_channels=WIDTHS, out_channels=16)
            model.rpn_head.update(in_channels=16, feat_channels=16)
            roi = model.roi_head
            roi.bbox_roi_extractor.out_channels = 16
            roi.mask_roi_extractor.out_channels = 16
            roi.bbox_head.update(in_channels=16, fc_out_channels=16)
            roi.mask_head.update(in_channels=16, conv_out_channels=16)
        else:  # UperNet
            model.decode_head.update(in_channels=WIDTHS, channels=16)
            model.auxiliary_head.update(in_channels=WIDTHS[2], channels=16)

    return edit


@pytest.fixture(scope='module', params=list(TRANSFER))
def backbone_file(request, tmp_path_factory):
    """The family's narrow pre-training model, initialised, saved as the
    Runner saves it, and its backbone extracted."""
    family = request.param
    root = tmp_path_factory.mktemp(family)
    torch.manual_seed(0)
    model = MODELS.build(tiny_config(family).model)
    with quiet_mmengine():
        model.init_weights()
    with torch.no_grad():  # nothing may equal a fresh init by chance
        for p in model.backbone.parameters():
            p.add_(torch.rand_like(p))
    torch.save(dict(state_dict=model.state_dict()), root / 'epoch_1.pth')
    path = str(root / 'backbone.pth')
    extract_backbone(str(root / 'epoch_1.pth'), path, logger='silent')
    return family, path


@pytest.mark.parametrize('index', [0, 1], ids=['mmdet', 'mmseg'])
def test_every_backbone_tensor_arrives(backbone_file, index):
    family, path = backbone_file
    config = osp.join(BENCH, TRANSFER[family][index])
    cfg = Config.fromfile(config)
    assert cfg.custom_hooks == [dict(type='PretrainedWeightsCheckHook')]
    with quiet_mmengine(ignore_warnings=True):
        model = build_initialised(config, path, shrink_downstream(family))
        reports = check_pretrained_weights(model)
    written = torch.load(path, weights_only=True)['state_dict']
    report = reports['backbone']
    # Every tensor of the file filled the backbone, none left over ...
    assert sorted(report['filled']) == sorted(written)
    assert report['different'] == [] and reports['unexpected'][path] == []
    # ... and the only backbone tensors it did not fill are the output
    # norms of the stages the pre-training had no output for.
    assert sorted(report['missing']) == sorted(
        f'norm{i}.{p}' for i in range(3) for p in ('weight', 'bias'))
    for key, value in model.backbone.state_dict().items():
        if key in written:
            assert torch.equal(value, written[key]), key


def test_a_backbone_left_to_its_init_fails_the_check(backbone_file, tmp_path):
    """The check fails when the file fills a backbone tensor wrongly: one
    stage's tensors changed in the file do not arrive as they are."""
    family, path = backbone_file
    written = torch.load(path, weights_only=True)
    wrong = copy.deepcopy(written)
    for key in list(wrong['state_dict']):
        if key.startswith('stages.1.'):
            wrong['state_dict'].pop(key)
    torch.save(wrong, tmp_path / 'partial.pth')
    config = osp.join(BENCH, TRANSFER[family][0])
    with quiet_mmengine(ignore_warnings=True):
        model = build_initialised(config, str(tmp_path / 'partial.pth'),
                                  shrink_downstream(family))
        with pytest.raises(RuntimeError, match=r'backbone: \d+ tensors not '
                           r"filled, e.g. \['stages\.1\."):
            check_pretrained_weights(model)


def test_new_output_norms_only():
    assert is_new_module('norm0.weight', ('norm', ))
    assert is_new_module('norm.weight', ('norm', ))
    assert not is_new_module('normal.weight', ('norm', ))
    assert not is_new_module('stages.0.norm1.weight', ('norm', ))
