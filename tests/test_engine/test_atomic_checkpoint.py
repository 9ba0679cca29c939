"""No run lost at a save: AtomicCheckpointHook writes through a temporary
file, moves last_checkpoint only to a complete file and prunes last.

Each interruption below stops a save of epoch 2 with max_keep_ckpts=1 (as in
the main job's config) at one point; a new ``--resume`` run must then start
from the newest complete checkpoint and finish."""
import errno
import glob
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
from mmengine.fileio.backends.local_backend import LocalBackend
from mmengine.hooks import Hook

import mmpixpro.engine.hooks.atomic_checkpoint_hook as hook_module
from mmpixpro.converters import load_checkpoint_file
from mmpixpro.datasets.generated_scenes import write_unlabeled_folder
from mmpixpro.engine.hooks import AtomicCheckpointHook
from tests.utils import build_runner, run_tool, small_cfg, train_py


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp('images')
    write_unlabeled_folder(str(root), num=8, size=(64, 80))
    return str(root)


def cfg_for(work, images, max_epochs=2):
    cfg = small_cfg(work, images, max_epochs=max_epochs)
    cfg.default_hooks.checkpoint = dict(
        type='AtomicCheckpointHook', interval=1, max_keep_ckpts=1)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=10)
    return cfg


def last_checkpoint(work):
    with open(osp.join(work, 'last_checkpoint')) as f:
        return f.read().strip()


def steps(path):
    return int(load_checkpoint_file(path)['state_dict']['target_net.steps'])


def disk_full(after):
    """A LocalBackend.put that writes half the bytes, then fails as a full
    disk does, from its ``after``-th call on."""
    real, calls = LocalBackend.put, []

    def put(backend, obj, filepath):
        calls.append(filepath)
        if len(calls) < after:
            return real(backend, obj, filepath)
        with open(filepath, 'wb') as f:
            f.write(obj[:len(obj) // 2])
        raise OSError(errno.ENOSPC, 'No space left on device')
    return put


def interrupt_last_checkpoint(real):
    def write(path, fn):
        if osp.basename(path) == 'last_checkpoint' and osp.exists(path):
            raise KeyboardInterrupt('Ctrl-C while last_checkpoint is written')
        return real(path, fn)
    return write


def interrupt_prune(backend, path):
    raise KeyboardInterrupt('Ctrl-C while the old checkpoint is pruned')


def resume_and_finish(work, images, expected_start):
    """A ``--resume`` run: it must start from ``expected_start`` iterations
    and end with the 4 iterations of 2 epochs."""
    cfg = cfg_for(work, images)
    cfg.resume = True
    runner = build_runner(cfg)
    started = {}

    class Probe(Hook):
        priority = 'LOWEST'

        def before_train(self, runner):
            started['iter'] = runner.iter

    runner.register_hook(Probe())
    runner.train()
    assert started['iter'] == expected_start
    assert steps(osp.join(work, 'epoch_2.pth')) == 4


def test_default_runtime_uses_the_atomic_hook(images, tmp_path):
    from mmengine.config import Config

    from tests.utils import SMALL_CONFIG
    assert Config.fromfile(SMALL_CONFIG).default_hooks.checkpoint.type == \
        'AtomicCheckpointHook'
    # A plain CheckpointHook (tests.utils.small_cfg's) is upgraded.
    runner = build_runner(small_cfg(tmp_path, images, max_epochs=1))
    assert any(type(h) is AtomicCheckpointHook for h in runner.hooks)


def test_disk_full_keeps_the_previous_checkpoint(tmp_path, images,
                                                 monkeypatch):
    work = str(tmp_path)
    monkeypatch.setattr(LocalBackend, 'put', disk_full(after=2))
    with pytest.raises(OSError) as info:
        build_runner(cfg_for(work, images)).train()
    # The error names the checkpoint that could not be written.
    assert osp.join(work, 'epoch_2.pth') in str(info.value)
    assert 'No space left' in str(info.value)
    monkeypatch.undo()
    # epoch_1 is intact and last_checkpoint still points at it; no partial
    # epoch_2 and no temporary file is left.
    assert last_checkpoint(work) == osp.join(work, 'epoch_1.pth')
    assert steps(osp.join(work, 'epoch_1.pth')) == 2
    assert not osp.exists(osp.join(work, 'epoch_2.pth'))
    assert not glob.glob(osp.join(work, '.*.tmp'))
    resume_and_finish(work, images, expected_start=2)


def test_interrupt_before_last_checkpoint_moves(tmp_path, images,
                                                monkeypatch):
    work = str(tmp_path)
    monkeypatch.setattr(hook_module, 'atomic_write',
                        interrupt_last_checkpoint(hook_module.atomic_write))
    with pytest.raises(KeyboardInterrupt):
        build_runner(cfg_for(work, images)).train()
    monkeypatch.undo()
    # epoch_2 is complete but not yet recorded; epoch_1 is not pruned yet.
    assert last_checkpoint(work) == osp.join(work, 'epoch_1.pth')
    assert steps(osp.join(work, 'epoch_1.pth')) == 2
    assert steps(osp.join(work, 'epoch_2.pth')) == 4
    resume_and_finish(work, images, expected_start=2)


def test_interrupt_while_pruning(tmp_path, images, monkeypatch):
    work = str(tmp_path)
    monkeypatch.setattr(LocalBackend, 'remove', interrupt_prune)
    with pytest.raises(KeyboardInterrupt):
        build_runner(cfg_for(work, images)).train()
    monkeypatch.undo()
    assert last_checkpoint(work) == osp.join(work, 'epoch_2.pth')
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))  # not pruned: harmless
    resume_and_finish(work, images, expected_start=4)


def test_stale_temporary_file_is_removed(tmp_path, images):
    work = str(tmp_path)
    os.makedirs(work, exist_ok=True)
    stale = osp.join(work, '.epoch_1.pth.mmpixpro-partial-abc12345.tmp')
    with open(stale, 'wb') as f:
        f.write(b'half a checkpoint')
    build_runner(cfg_for(work, images, max_epochs=1)).train()
    assert not osp.exists(stale)
    assert steps(last_checkpoint(work)) == 2


@pytest.mark.slow
def test_kill_9_at_random_moments_never_loses_the_run(tmp_path, images):
    """Real kill -9 of tools/train.py while it saves a checkpoint every
    iteration (max_keep_ckpts=1); after each kill, --resume must load and
    the run must end at its last iteration."""
    work = str(tmp_path / 'work')
    cfg = cfg_for(work, images, max_epochs=1)
    # Iteration-based, as the main job: mmengine's epoch loop resumed from
    # an iteration checkpoint would replay the rest of the epoch.
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=12)
    cfg.param_scheduler = [dict(type='CosineAnnealingLR', T_max=12,
                                by_epoch=False, begin=0, end=12)]
    cfg.log_processor = dict(by_epoch=False)
    cfg.default_hooks.checkpoint = dict(
        type='AtomicCheckpointHook', by_epoch=False, interval=1,
        max_keep_ckpts=1)
    cfg_file = str(tmp_path / 'cfg.py')
    cfg.dump(cfg_file)
    env = dict(os.environ, PYTHONPATH=osp.dirname(osp.dirname(
        osp.dirname(osp.abspath(__file__)))))
    killed = 0
    for delay in (0.4, 1.3):  # into a later iteration's save or prune
        args = [sys.executable, train_py(), cfg_file, '--resume']
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # Kill once the run has saved at least once (at a random point of
        # its iteration, save or prune), then check what is left.
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if osp.exists(osp.join(work, 'last_checkpoint')):
                time.sleep(delay)
                break
            time.sleep(0.1)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        path = last_checkpoint(work)
        assert osp.isfile(path), path
        load_checkpoint_file(path)  # complete and loadable
    proc = run_tool([sys.executable, train_py(), cfg_file, '--resume'])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert steps(last_checkpoint(work)) == 12
    assert killed >= 1


def test_downstream_runs_use_the_atomic_hook():
    """train_downstream.py swaps mmdet's CheckpointHook for the atomic one,
    and mmdet's scope finds it (it is in mmengine's root registry)."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmdet.registry import HOOKS as MMDET_HOOKS

    from tests.utils import REPO, load_tool_main
    config = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection',
                      'voc0712', 'faster-rcnn_r50-c4_ms-24k_voc0712.py')
    main = load_tool_main('benchmarks', 'train_downstream.py')
    cfg = Config.fromfile(config)
    main.__globals__['use_atomic_checkpoints'](cfg)
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    assert cfg.default_hooks.checkpoint.max_keep_ckpts == 2  # kept
    with DefaultScope.overwrite_default_scope('mmdet'):
        hook = MMDET_HOOKS.build(cfg.default_hooks.checkpoint)
    assert type(hook) is AtomicCheckpointHook
