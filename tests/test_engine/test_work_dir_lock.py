"""One training run per work directory: a second run is refused while the
first holds the folder, a killed run does not leave it locked, and start-up
removes only the checkpoint writer's own temporary files."""
import os
import os.path as osp
import signal
import subprocess
import sys
import textwrap

import pytest
from mmengine.runner import Runner

from mmpixpro.engine.runner.work_dir_lock import (LOCK_NAME,
                                                  WorkDirLockedError,
                                                  WorkDirLockMixin,
                                                  acquire_work_dir_lock,
                                                  release_work_dir_lock)
from tests.utils import REPO, build_runner, run_tool, small_cfg, train_py

HOLD = textwrap.dedent('''
    import sys, time
    from mmpixpro.engine.runner.work_dir_lock import acquire_work_dir_lock
    acquire_work_dir_lock(sys.argv[1])
    print('locked', flush=True)
    time.sleep(120)
''')

TRY = textwrap.dedent('''
    import sys
    from mmpixpro.engine.runner.work_dir_lock import (WorkDirLockedError,
                                                      acquire_work_dir_lock)
    try:
        acquire_work_dir_lock(sys.argv[1])
    except WorkDirLockedError as e:
        print(e)
        sys.exit(3)
    print('locked')
''')


def python(code, *args, **kwargs):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.Popen([sys.executable, '-c', code, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kwargs)


@pytest.fixture
def holder(tmp_path):
    """Another process that holds the lock on ``tmp_path/work``."""
    work = str(tmp_path / 'work')
    proc = python(HOLD, work)
    assert proc.stdout.readline().strip() == 'locked', proc.stderr.read()
    yield work, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_second_process_is_refused_while_the_first_holds(tmp_path):
    work = str(tmp_path / 'work')
    acquire_work_dir_lock(work)
    try:
        proc = python(TRY, work)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 3, out + err
        assert work in out and f'pid {os.getpid()}' in out
        assert 'another training run' in out
    finally:
        release_work_dir_lock(work)
    proc = python(TRY, work)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and 'locked' in out, out + err


def test_killed_holder_does_not_leave_it_stuck(holder):
    work, proc = holder
    with pytest.raises(WorkDirLockedError) as info:
        acquire_work_dir_lock(work)
    assert f'pid {proc.pid}' in str(info.value) and work in str(info.value)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert acquire_work_dir_lock(work) == osp.join(osp.realpath(work),
                                                   LOCK_NAME)
    release_work_dir_lock(work)


def test_second_train_py_refuses_and_writes_nothing(holder, images):
    work, proc = holder
    before = sorted(os.listdir(work))
    cfg_file = osp.join(osp.dirname(work), 'cfg.py')
    small_cfg(work, images, max_epochs=1).dump(cfg_file)
    result = run_tool([sys.executable, train_py(), cfg_file])
    assert result.returncode != 0
    assert f'error: {work} is in use by another training run' in \
        result.stderr, result.stderr[-3000:]
    assert f'pid {proc.pid}' in result.stderr
    assert 'Traceback' not in result.stderr
    assert sorted(os.listdir(work)) == before  # no log, config or checkpoint


def test_runner_without_the_mixin_is_locked_by_the_checkpoint_hook(
        holder, images):
    """mmdet's and mmseg's runners (train_downstream.py) are plain
    mmengine Runners: the atomic checkpoint hook takes the lock."""
    work, proc = holder
    cfg = small_cfg(work, images, max_epochs=1)
    cfg.pop('runner_type', None)
    cfg.optim_wrapper = dict(type='OptimWrapper',
                             optimizer=cfg.optim_wrapper.optimizer)
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook',
                                        interval=1)
    runner = Runner.from_cfg(cfg)
    with pytest.raises(WorkDirLockedError, match=f'pid {proc.pid}'):
        runner.train()
    assert not any(n.endswith('.pth') for n in os.listdir(work))


def test_runner_releases_the_lock_after_training(tmp_path, images):
    work = str(tmp_path / 'work')
    build_runner(small_cfg(work, images, max_epochs=1)).train()
    proc = python(TRY, work)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err


def test_only_rank_0_locks(tmp_path):

    class Base:

        def __init__(self, rank):
            self.rank, self.work_dir = rank, str(tmp_path / f'w{rank}')

        def setup_env(self, env_cfg):
            pass

    class Fake(WorkDirLockMixin, Base):
        pass

    for rank in (0, 1):
        fake = Fake(rank)
        fake.setup_env({})
        assert fake._work_dir_locked is (rank == 0)
        assert osp.exists(osp.join(fake.work_dir, LOCK_NAME)) is (rank == 0)
        del fake


def test_only_the_writers_temporary_files_are_removed(tmp_path, images):
    from mmpixpro.utils.atomic_write import is_partial_file
    work = str(tmp_path / 'work')
    os.makedirs(work)
    leftover = osp.join(work, '.epoch_1.pth.mmpixpro-partial-a1b2c3d4.tmp')
    users = [osp.join(work, name) for name in
             ('.foo.tmp', '.notes.tmp', '.epoch_1.pth.abc.tmp',
              '.x.mmpixpro-partial-a1b2c3d4.tmp.bak')]
    for path in [leftover] + users:
        with open(path, 'w') as f:
            f.write('data')
    assert is_partial_file(leftover)
    assert not any(is_partial_file(p) for p in users)
    cfg = small_cfg(work, images, max_epochs=1)
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook',
                                        interval=1)
    build_runner(cfg).train()
    assert not osp.exists(leftover)
    for path in users:
        with open(path) as f:
            assert f.read() == 'data', path
