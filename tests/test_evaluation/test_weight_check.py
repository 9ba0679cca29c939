"""tools/benchmarks/check_weights.py and check_transfer_weights behind it:
one line per config, exit 1 when a tensor the backbone file should fill was
not filled, and wrong files or configs named."""
import os.path as osp

import pytest
import torch

from mmpixpro.evaluation import check_transfer_weights
from tests.utils import REPO, load_tool_main
from tests.test_evaluation.test_cityscapes_transfer import FCN_CONFIG
from tests.test_evaluation.test_fpn_transfer import NECK_CONFIG
from tests.test_evaluation.test_transfer import VOC_CONFIG

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def check_weights():
    return load_tool_main('benchmarks', 'check_weights.py')


def lines(out, prefix):
    return [line for line in out.splitlines() if line.startswith(prefix)]


def test_backbone_file_fills_c4_and_fcn(check_weights, pretrained, capsys):
    assert check_weights(
        [VOC_CONFIG, FCN_CONFIG, '--pretrained', pretrained['backbone']]) == 0
    ok = lines(capsys.readouterr().out, 'ok ')
    assert len(ok) == 2
    # ResNet-50: 53 convs (stem, 16 blocks x 3, 4 shortcuts), each with a
    # BN of 5 tensors: 318. res5 (3 blocks x 3 + 1 shortcut) holds 10 of
    # them: 60; a C4 backbone keeps the other 258.
    assert 'backbone 258 filled; roi_head.shared_head 60 filled (5 new: norm)' \
        in ok[0]
    assert ok[1].endswith('backbone 318 filled')
    summary = check_transfer_weights(FCN_CONFIG, pretrained['backbone'])
    assert list(summary) == ['backbone']
    assert summary['backbone']['filled'] == 318
    assert summary['backbone']['own_init'] == []


def test_file_without_res5_fails(check_weights, pretrained, tmp_path,
                                 capsys):
    state = torch.load(pretrained['backbone'], weights_only=True)
    no_res5 = {k: v for k, v in state['state_dict'].items()
               if not k.startswith('layer4.')}
    path = str(tmp_path / 'no_res5.pth')
    torch.save(dict(state_dict=no_res5), path)
    assert check_weights([VOC_CONFIG, FCN_CONFIG, '--pretrained', path]) == 1
    captured = capsys.readouterr()
    fail = lines(captured.out, 'FAIL')
    assert len(fail) == 2, captured.out
    assert 'roi_head.shared_head: 60 tensors not filled' in fail[0]
    assert 'backbone: 60 tensors not filled' in fail[1]
    assert '2 of 2 configs failed' in captured.err
    with pytest.raises(RuntimeError, match='backbone: 60 tensors not filled'):
        check_transfer_weights(FCN_CONFIG, path)


def test_wrong_inputs_are_named(check_weights, pretrained, tmp_path,
                                capsys):
    # the whole pre-training checkpoint instead of the extracted backbone
    assert check_weights([VOC_CONFIG, '--pretrained',
                          pretrained['checkpoint']]) == 1
    assert 'extract_backbone_weights.py' in capsys.readouterr().err
    # a head pre-training config given a backbone-only file
    assert check_weights([NECK_CONFIG, '--pretrained',
                          pretrained['backbone']]) == 1
    assert '--with-neck' in lines(capsys.readouterr().out, 'FAIL')[0]
    # a config that does not exist, and one with no model
    base = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', '_base_',
                    'coco-detection_ms-1x.py')
    assert check_weights([str(tmp_path / 'none.py'), base, '--pretrained',
                          pretrained['backbone']]) == 1
    captured = capsys.readouterr()
    assert 'none.py does not exist' in captured.err
    assert 'defines no model' in captured.out
