import pytest

from tests.test_evaluation.test_dense_data import write_cityscapes


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    """Cityscapes-layout labels for the probe's command line: 2 train and
    1 val image of 32 px."""
    root = tmp_path_factory.mktemp('cityscapes')
    write_cityscapes(root, splits=(('train', 2), ('val', 1)), size=32)
    return str(root)  # labels 0, 1, 2 and 255
