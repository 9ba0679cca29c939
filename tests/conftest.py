import os.path as osp

import pytest
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

from mmpixpro.utils import register_all_modules
from tests.utils import FINETUNE_AT_TEST_SIZE, REPO, run_tool

register_all_modules()


@pytest.fixture(autouse=True)
def mmpixpro_scope():
    """Every test starts in the mmpixpro scope, and a test that switches to
    mmdet's or mmseg's does not leak it into the next."""
    with DefaultScope.overwrite_default_scope('mmpixpro'):
        yield


@pytest.fixture(autouse=True)
def fresh_visualizers():
    """Each test builds its own visualizers. mmdet's, mmseg's and
    mmpretrain's runtime configs name theirs 'visualizer', so mmengine's
    Runner hands every later run in the process the first one built, which
    writes into that run's folder; a passing test's tmp_path is removed
    (setup.cfg), so the next run's config dump would fail."""
    yield
    from mmengine.visualization import Visualizer
    pending = [Visualizer]
    while pending:
        cls = pending.pop()
        cls._instance_dict.clear()
        pending.extend(cls.__subclasses__())


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """A folder of 8 generated 90x120 images for small training runs."""
    from mmpixpro.datasets.generated_scenes import write_unlabeled_folder
    root = tmp_path_factory.mktemp('images')
    write_unlabeled_folder(str(root), num=8, size=(90, 120))
    return str(root)


@pytest.fixture(scope='module')
def small_images(tmp_path_factory):
    """A folder of 4 generated 64x80 images (bad-input and start-up
    checks, which stop within a step or two)."""
    from mmpixpro.datasets.generated_scenes import write_unlabeled_folder
    root = tmp_path_factory.mktemp('small_images')
    write_unlabeled_folder(str(root), num=4, size=(64, 80))
    return str(root)


@pytest.fixture
def max_iters():
    """Give models used outside a Runner the total iteration count K."""
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 100)
    yield 100


@pytest.fixture(scope='session')
def main_job(tmp_path_factory):
    """The README's main job, shrunk (a few 64 px scenes, 2 steps per
    pre-training run and per fine-tune), with the control: its work folder
    and console output. The downstream tests take the transfer check's
    checkpoint from it."""
    import sys

    from mmpixpro.datasets.generated_scenes import write_scene_datasets
    root = tmp_path_factory.mktemp('main_job')
    data, work = root / 'scenes', root / 'work'
    write_scene_datasets(str(data), num_unlabeled=8, num_train=6, num_val=3,
                         size=(64, 64))
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'main_job.py'), '--data',
        str(data), '--work-dir',
        str(work), '--img-size', '64', '--show', '2', '--control',
        '--cfg-options', 'train_cfg.max_iters=2',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', '--det-options',
        *FINETUNE_AT_TEST_SIZE, '--seg-options', *FINETUNE_AT_TEST_SIZE,
        # the first 4 of the 6 train scenes; the control trains on the
        # other 2
        'train_dataloader.dataset.indices=4'
    ], timeout=1800)  # 26 stages, each its own process: minutes when busy
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(work=work, stdout=proc.stdout)


@pytest.fixture(scope='session')
def pretrained(main_job):
    """Paths of a pre-training checkpoint and its extracted backbone, as the
    README's main job made them: the released R50 recipe for 2 steps with
    tools/train.py, then extract_backbone_weights.py (its transfer check).
    Every transfer test starts from these files."""
    work = main_job['work']
    return dict(checkpoint=str(work / 'pixpro_r50' / 'epoch_1.pth'),
                backbone=str(work / 'pixpro_r50_backbone.pth'))
