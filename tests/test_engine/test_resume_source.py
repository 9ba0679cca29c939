"""``--resume`` without a path takes the work directory's own newest
checkpoint, also after the folder was moved or copied, and says which; with
nothing to resume from, tools/train.py and train_downstream.py give the same
warning."""
import glob
import os
import os.path as osp
import shutil

import pytest
import torch
from mmengine.hooks import Hook

from mmpixpro.converters import load_checkpoint_file
from tests.utils import build_runner, small_cfg


class Started(Hook):
    priority = 'LOWEST'

    def before_train(self, runner):
        self.iter = runner.iter


def cfg_for(work, images, max_epochs):
    cfg = small_cfg(work, images, max_epochs=max_epochs)
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook',
                                        interval=1, max_keep_ckpts=5)
    return cfg


@pytest.fixture(scope='module')
def trained(tmp_path_factory, images):
    """A work directory after 2 epochs (epoch_1.pth, epoch_2.pth)."""
    work = str(tmp_path_factory.mktemp('trained') / 'A')
    build_runner(cfg_for(work, images, 2)).train()
    return work


def log_of(runner):
    with open(runner.logger.handlers[-1].baseFilename) as f:
        return f.read()


def resume_auto(work, images, max_epochs=3):
    """``--resume`` (no path) in ``work``: the iteration it started at and
    its log."""
    cfg = cfg_for(work, images, max_epochs)
    cfg.resume, cfg.load_from = True, None
    runner = build_runner(cfg)
    started = Started()
    runner.register_hook(started)
    runner.train()
    return started.iter, log_of(runner)


def recorded(work):
    with open(osp.join(work, 'last_checkpoint')) as f:
        return f.read().strip()


def test_moved_work_dir_resumes_from_its_own_file(tmp_path, trained, images):
    original = str(tmp_path / 'A')
    shutil.copytree(trained, original)
    with open(osp.join(original, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(original, 'epoch_2.pth'))
    moved = str(tmp_path / 'B')
    os.rename(original, moved)  # mv A B
    start, log = resume_auto(moved, images)
    assert start == 4  # 2 epochs of 2 iterations
    assert f"resuming from {osp.join(moved, 'epoch_2.pth')}" in log
    assert osp.join(original, 'epoch_2.pth') in log  # says what it skipped
    assert recorded(moved) == osp.join(moved, 'epoch_3.pth')


def test_copied_work_dir_resumes_from_its_own_file(tmp_path, trained,
                                                   images):
    original = str(tmp_path / 'A')
    shutil.copytree(trained, original)
    with open(osp.join(original, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(original, 'epoch_2.pth'))
    copy = str(tmp_path / 'C')
    shutil.copytree(original, copy)  # cp -r A C
    # The original's file now differs (another iteration count): had the
    # copy resumed from it, it would start elsewhere.
    ckpt = load_checkpoint_file(osp.join(original, 'epoch_2.pth'))
    ckpt['meta']['iter'] = 3
    torch.save(ckpt, osp.join(original, 'epoch_2.pth'))
    start, log = resume_auto(copy, images)
    assert start == 4
    assert f"resuming from {osp.join(copy, 'epoch_2.pth')}" in log
    assert recorded(copy) == osp.join(copy, 'epoch_3.pth')
    assert recorded(original) == osp.join(original, 'epoch_2.pth')


def test_missing_recorded_file_falls_back_to_the_newest(tmp_path, trained,
                                                        images):
    work = str(tmp_path / 'W')
    shutil.copytree(trained, work)
    os.remove(osp.join(work, 'epoch_2.pth'))
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work, 'epoch_2.pth'))
    start, log = resume_auto(work, images)
    assert start == 2
    assert f"resuming from {osp.join(work, 'epoch_1.pth')}" in log
    assert 'which does not exist' in log


def test_missing_last_checkpoint_takes_the_newest(tmp_path, trained,
                                                  images):
    work = str(tmp_path / 'W')
    shutil.copytree(trained, work)
    os.remove(osp.join(work, 'last_checkpoint'))
    start, log = resume_auto(work, images)
    assert start == 4
    assert f"resuming from {osp.join(work, 'epoch_2.pth')}" in log


def test_unmoved_work_dir_logs_the_file(tmp_path, trained, images):
    work = str(tmp_path / 'W')
    shutil.copytree(trained, work)
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work, 'epoch_2.pth'))
    start, log = resume_auto(work, images)
    assert start == 4
    assert f"resuming from {osp.join(work, 'epoch_2.pth')}" in log


def test_nothing_to_resume_named_no_file_to_find(tmp_path, images):
    work = str(tmp_path / 'W')
    os.makedirs(work)
    with open(osp.join(work, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(str(tmp_path), 'elsewhere', 'epoch_9.pth'))
    cfg = cfg_for(work, images, 1)
    cfg.resume = True
    with pytest.raises(FileNotFoundError, match='does not exist'):
        build_runner(cfg).train()


def warning_lines(log):
    return [line.split(' - ', 1)[-1] for line in log.splitlines()
            if '--resume: no checkpoint' in line]


def test_downstream_warns_as_train_py_does(tmp_path, images, monkeypatch):
    """tools/benchmarks/train_downstream.py --resume in an empty work
    directory logs train.py's warning, from the same code."""
    from mmengine.runner import Runner

    from tests.utils import REPO, load_tool_main

    ours = str(tmp_path / 'ours')
    cfg = cfg_for(ours, images, 1)
    cfg.resume = True
    runner = build_runner(cfg)
    runner.train()
    expected = warning_lines(log_of(runner))
    assert len(expected) == 1 and ours in expected[0]

    calls = []

    def train(runner):  # stop where training would start
        calls.append(runner)
        runner.load_or_resume()

    monkeypatch.setattr(Runner, 'train', train)
    main = load_tool_main('benchmarks', 'train_downstream.py')
    monkeypatch.setitem(main.__globals__, 'missing_data_roots',
                        lambda cfg: [])
    down = str(tmp_path / 'down')
    config = osp.join(REPO, 'configs', 'benchmarks', 'mmsegmentation',
                      'cityscapes', 'fcn_r18-w16-d8_scenes-cityscapes.py')
    main([config, '--work-dir', down, '--resume'])
    (runner, ) = calls
    got = warning_lines(log_of(runner))
    assert got == [expected[0].replace(ours, down)]
    assert not runner._has_loaded
    assert not glob.glob(osp.join(down, '*.pth'))
