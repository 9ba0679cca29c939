"""The dense probe refuses a --num-classes below the label values (which
would drop classes and inflate mIoU) and zero or negative settings."""
import pytest
import torch

from mmpixpro.evaluation import dense_probe
from mmpixpro.evaluation import DenseData
from tests.utils.probe_cli import run_probe_cli as run


def test_num_classes_below_the_labels_is_refused(data, capsys):
    assert run(data, '--num-classes', '2') == 1
    err = capsys.readouterr().err
    assert '--num-classes 2' in err and '[0, 1, 2]' in err
    assert '[2] would be dropped' in err


@pytest.mark.parametrize('option,value', [('--num-classes', '0'),
                                          ('--stride', '0'),
                                          ('--epochs', '0'),
                                          ('--stride', '-8')])
def test_zero_settings_are_refused(data, capsys, option, value):
    assert run(data, option, value) == 1
    err = capsys.readouterr().err
    assert option in err and value in err


def test_the_function_refuses_too():
    labels = torch.tensor([[[0, 3], [255, 1]]], dtype=torch.uint8)
    split = DenseData(torch.zeros(1, 3, 2, 2, dtype=torch.uint8), labels,
                      ['a.png'])
    with pytest.raises(ValueError, match=r'label values \[0, 1, 3\]'):
        dense_probe(torch.nn.Identity(), split, split, num_classes=3,
                    stride=1)
    with pytest.raises(ValueError, match='--num-classes must be'):
        dense_probe(torch.nn.Identity(), split, split, num_classes=0)
