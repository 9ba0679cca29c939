"""An lr changed for a resumed run is the lr it trains with: the schedule
(warm-up, then cosine) goes on as if the run had started with the new base
lr, checked against the schedule's formula computed here by hand."""
import math
import os.path as osp
import re
import shutil
import sys

import pytest
from mmengine.hooks import Hook

from mmpixpro.engine.hooks.finite_loss_hook import FiniteLossHook
from tests.utils import build_runner, run_tool, small_cfg, train_py

ITERS_PER_EPOCH = 2  # 8 images, batch 4
EPOCHS = 3


def lr_at(base, t):
    """small_cfg's schedule for EPOCHS epochs of ITERS_PER_EPOCH iterations
    at iteration ``t`` (0-based): LinearLR warm-up over epoch 0 from 1% of
    the lr (mmengine's total_iters = end - begin - 1 steps), then
    CosineAnnealingLR over the other epochs down to 1e-6."""
    warm_end = ITERS_PER_EPOCH
    if t < warm_end:
        total = warm_end - 1
        return base * (0.01 + 0.99 * min(t, total) / total)
    eta_min, t_max = 1e-6, (EPOCHS - 1) * ITERS_PER_EPOCH
    return eta_min + (base - eta_min) * (
        1 + math.cos(math.pi * (t - warm_end) / t_max)) / 2


class RecordLR(Hook):
    """The lr of every param group as each iteration uses it."""

    priority = 'LOWEST'

    def __init__(self):
        self.lrs = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs[runner.iter] = [
            g['lr'] for g in runner.optim_wrapper.optimizer.param_groups]


def cfg_for(work, images):
    cfg = small_cfg(work, images, max_epochs=EPOCHS)
    cfg.default_hooks.checkpoint = dict(type='AtomicCheckpointHook',
                                        interval=1, max_keep_ckpts=5)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    return cfg


@pytest.fixture(scope='module')
def first_run(tmp_path_factory, images):
    """A full run at the config's lr: its epoch_1.pth and the lrs it used."""
    work = str(tmp_path_factory.mktemp('first'))
    runner = build_runner(cfg_for(work, images))
    record = RecordLR()
    runner.register_hook(record)
    runner.train()
    return dict(work=work, lrs=record.lrs,
                base=runner.cfg.optim_wrapper.optimizer.lr)


def resume(tmp_path, images, first_run, lr=None, auto_scale=None):
    """Resume a copy of the first run's epoch_1.pth; the lrs it used and
    its log."""
    work = str(tmp_path / 'resumed')
    shutil.copytree(first_run['work'], work)
    cfg = cfg_for(work, images)
    cfg.resume, cfg.load_from = True, osp.join(work, 'epoch_1.pth')
    if lr is not None:
        cfg.optim_wrapper.optimizer.lr = lr
    if auto_scale is not None:
        cfg.auto_scale_lr = auto_scale
    runner = build_runner(cfg)
    record = RecordLR()
    runner.register_hook(record)
    runner.train()
    with open(runner.logger.handlers[-1].baseFilename) as f:
        log = f.read()
    return record.lrs, log


def check_lrs(lrs, base, first, last):
    assert sorted(lrs) == list(range(first, last))
    for t, group_lrs in lrs.items():
        for lr in group_lrs:  # every group (LARS's exclusions included)
            assert lr == pytest.approx(lr_at(base, t), rel=1e-9, abs=0), t


def test_first_run_follows_the_formula(first_run):
    """The formula is the schedule mmengine runs (checked on the plain
    run, so the resume tests below compare against the right thing)."""
    check_lrs(first_run['lrs'], first_run['base'], 0,
              EPOCHS * ITERS_PER_EPOCH)


def test_changed_lr_wins_on_resume(tmp_path, images, first_run):
    old = first_run['base']
    new = old / 5
    lrs, log = resume(tmp_path, images, first_run, lr=new)
    check_lrs(lrs, new, ITERS_PER_EPOCH, EPOCHS * ITERS_PER_EPOCH)
    assert lrs[ITERS_PER_EPOCH][0] != pytest.approx(
        lr_at(old, ITERS_PER_EPOCH))
    lines = [line for line in log.splitlines()
             if "the config's lr" in line]
    assert len(lines) == 1, lines
    assert f'({new:g})' in lines[0] and f'({old:g})' in lines[0]
    assert 'base lr' in lines[0]


def test_unchanged_lr_resumes_as_saved(tmp_path, images, first_run):
    lrs, log = resume(tmp_path, images, first_run)
    check_lrs(lrs, first_run['base'], ITERS_PER_EPOCH,
              EPOCHS * ITERS_PER_EPOCH)
    assert "the config's lr" not in log
    # Bit for bit the lrs of the run that was never stopped.
    for t, group_lrs in lrs.items():
        assert group_lrs == first_run['lrs'][t]


def test_auto_scale_lr_on_resume(tmp_path, images, first_run):
    """--auto-scale-lr's rules act before the resume: the scaled lr is the
    config's lr the resumed run compares and trains with (batch 4 for a
    base batch of 16: sqrt rule x0.5, linear rule x0.25)."""
    for rule, ratio in (('sqrt', 0.5), ('linear', 0.25)):
        lrs, log = resume(tmp_path / rule, images, first_run,
                          auto_scale=dict(base_batch_size=16, enable=True,
                                          rule=rule))
        base = first_run['base'] * ratio
        check_lrs(lrs, base, ITERS_PER_EPOCH, EPOCHS * ITERS_PER_EPOCH)
        assert f'base lr {base:g}' in log


def test_the_nan_stop_advice_works(tmp_path, images, first_run):
    """The command the non-finite stop advises, run as written with
    tools/train.py, trains with the lower lr."""

    class Runner:
        iter, epoch = 4, 1

    hook = FiniteLossHook()
    with pytest.raises(RuntimeError) as info:
        hook._stop(Runner(), 'non-finite loss = nan')
    advice = re.search(r'tools/train\.py CONFIG --resume CHECKPOINT '
                       r'--cfg-options (\S+)=LOWER', str(info.value))
    assert advice, str(info.value)
    work = str(tmp_path / 'resumed')
    shutil.copytree(first_run['work'], work)
    cfg_file = str(tmp_path / 'cfg.py')
    cfg_for(work, images).dump(cfg_file)
    new = first_run['base'] / 10
    proc = run_tool([
        sys.executable, train_py(), cfg_file, '--resume',
        osp.join(work, 'epoch_1.pth'), '--cfg-options',
        f'{advice.group(1)}={new}'
    ])
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert f'base lr {new:g}' in out
    # The logger prints each iteration's lr (4 significant digits).
    logged = [float(v) for v in re.findall(r'Epoch\(train\)\s+\[[23]\]'
                                           r'.*?\blr: (\S+)', out)]
    expected = [lr_at(new, t) for t in range(ITERS_PER_EPOCH,
                                             EPOCHS * ITERS_PER_EPOCH)]
    assert logged == pytest.approx(expected, rel=1e-3), (logged, expected)
