import importlib.util
import os.path as osp

import pytest
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

from mmpixpro.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
# The small config: the recipe at CPU scale, for the engine and data tests.
SMALL_CONFIG = osp.join(REPO, 'configs', 'pixpro',
                        'pixpro_resnet18-w16_1xb16-4e.py')

register_all_modules()


@pytest.fixture(autouse=True)
def mmpixpro_scope():
    """Every test starts in the mmpixpro scope, and a test that switches to
    mmdet's or mmseg's does not leak it into the next."""
    with DefaultScope.overwrite_default_scope('mmpixpro'):
        yield


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """A folder of 8 generated 90x120 images for small training runs."""
    from mmpixpro.testing import write_image_folder
    root = tmp_path_factory.mktemp('images')
    write_image_folder(str(root), num_images=8, size=(90, 120))
    return str(root)


@pytest.fixture
def max_iters():
    """Give models used outside a Runner the total iteration count K."""
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 100)
    yield 100


def load_tool_main(*path):
    """The ``main(argv)`` of a script under tools/, e.g.
    ``load_tool_main('model_converters', 'to_detectron2.py')``."""
    file = osp.join(REPO, 'tools', *path)
    spec = importlib.util.spec_from_file_location(
        osp.splitext(osp.basename(file))[0], file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


# The main job's fine-tunes at test size: 2 iterations of 2 images, no
# loader workers.
FINETUNE_AT_TEST_SIZE = [
    'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
    'train_dataloader.batch_size=2'
] + [
    f'{loader}.{key}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    for key in ('num_workers=0', 'persistent_workers=False')
]


@pytest.fixture(scope='session')
def main_job(tmp_path_factory):
    """The README's main job, shrunk (a few 64 px scenes, 2 steps per
    pre-training run and per fine-tune): its work folder and console
    output. The downstream tests take the transfer check's checkpoint from
    it."""
    import sys

    from mmpixpro.testing import write_scene_datasets
    from tests.test_engine.train_helpers import run_tool
    root = tmp_path_factory.mktemp('main_job')
    data, work = root / 'scenes', root / 'work'
    write_scene_datasets(str(data), num_unlabeled=8, num_train=6, num_val=3,
                         size=(64, 64))
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'main_job.py'), '--data',
        str(data), '--work-dir',
        str(work), '--img-size', '64', '--show', '2', '--cfg-options',
        'train_cfg.max_iters=2', 'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', '--det-options',
        *FINETUNE_AT_TEST_SIZE, '--seg-options', *FINETUNE_AT_TEST_SIZE
    ], timeout=1800)  # 22 stages, each its own process: minutes when busy
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(work=work, stdout=proc.stdout)
