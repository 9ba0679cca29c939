"""The downstream models built from our configs compute, after their init,
the same features as our pre-trained backbone; and the check fails when a
tensor was left to its random init."""

import pytest
import torch

from mmpixpro.evaluation import check_pretrained_weights
from mmpixpro.registry import MODELS as PIXPRO_MODELS
from tests.released_layout import r50_model_cfg
from tests.utils.downstream_configs import build_initialised
from tests.test_evaluation.test_transfer import VOC_CONFIG

pytestmark = pytest.mark.slow


def our_backbone(checkpoint):
    model = PIXPRO_MODELS.build(r50_model_cfg())
    state = torch.load(checkpoint, map_location='cpu', weights_only=False)
    model.load_state_dict(state['state_dict'], strict=True)
    model.backbone.eval()  # mmpretrain's ResNet.train() returns None
    return model.backbone


def build_c4(backbone_file):
    return build_initialised(VOC_CONFIG, backbone_file)


def test_c4_features_equal_pretrained_backbone(pretrained):
    ours = our_backbone(pretrained['checkpoint'])
    det = build_c4(pretrained['backbone'])
    reports = check_pretrained_weights(det)
    assert set(reports) >= {'backbone', 'roi_head.shared_head'}
    assert reports['roi_head.shared_head']['missing'] == [
        'norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var',
        'norm.num_batches_tracked'
    ]
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        c4 = det.backbone(x)[-1]
        ours_c4 = ours.layer3(ours.layer2(ours.layer1(
            ours.maxpool(ours.relu(ours.norm1(ours.conv1(x)))))))
        torch.testing.assert_close(c4, ours_c4)
        torch.testing.assert_close(det.roi_head.shared_head.layer4(c4),
                                   ours.layer4(ours_c4))


def test_check_fails_when_res5_is_left_random(pretrained, tmp_path):
    state = torch.load(pretrained['backbone'], weights_only=True)
    no_res5 = {k: v for k, v in state['state_dict'].items()
               if not k.startswith('layer4.')}
    path = str(tmp_path / 'no_res5.pth')
    torch.save(dict(state_dict=no_res5), path)
    det = build_c4(path)
    with pytest.raises(RuntimeError, match='roi_head.shared_head'):
        check_pretrained_weights(det)


def test_check_fails_when_nothing_is_pretrained():
    with pytest.raises(RuntimeError, match='no module'):
        check_pretrained_weights(torch.nn.Conv2d(1, 1, 1))
