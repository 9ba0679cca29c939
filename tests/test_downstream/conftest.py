import os.path as osp
import sys

import pytest

from mmpixpro.datasets.synthetic import write_image_folder
from tests.conftest import REPO, load_tool_main
from tests.test_engine.train_helpers import run_tool, train_py


@pytest.fixture(scope='session')
def pretrained(tmp_path_factory):
    """Paths of a pre-training checkpoint and its extracted backbone: one iteration of the released R50 recipe with tools/train.py, then
    extract_backbone_weights.py: the chain a user runs."""
    root = tmp_path_factory.mktemp('pretrain')
    write_image_folder(str(root / 'images'), num_images=2, size=(90, 120))
    proc = run_tool([
        sys.executable, train_py(),
        osp.join(REPO, 'configs', 'pixpro', 'pixpro_r50_8xb128.py'),
        '--work-dir', str(root / 'work'), '--cfg-options',
        f'train_dataloader.dataset.data_root={root}/images',
        'train_dataloader.dataset.data_prefix=',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_cfg.max_epochs=1'
    ])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = str(root / 'backbone.pth')
    extract = load_tool_main('model_converters', 'extract_backbone_weights.py')
    ckpt = str(root / 'work' / 'epoch_1.pth')
    assert extract([ckpt, out]) == 0
    return dict(checkpoint=ckpt, backbone=out)


