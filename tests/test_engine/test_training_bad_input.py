"""Smaller promises of training: loud --resume without a checkpoint, a
--cfg-options key that matches nothing, a dataset smaller than one batch,
a warm-up longer than the run, and non-finite weights stopping early with
the last finite checkpoint named."""
import logging
import os.path as osp
import runpy

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import MMLogger

from mmpixpro.converters import load_checkpoint_file
from mmpixpro.registry import HOOKS
from tests.utils import REPO, SMALL_CONFIG, build_runner, small_cfg


def cfg_for(work, small_images, **kw):
    cfg = small_cfg(work, small_images, batch_size=2, **kw)
    cfg.train_dataloader.num_workers = 0
    return cfg


def warnings_of(run):
    """The messages the current (the runner's) logger gets during run()."""
    logger = MMLogger.get_current_instance()
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    try:
        run()
    finally:
        logger.removeHandler(handler)
    return seen


def test_resume_without_checkpoint_says_so(tmp_path, small_images):
    cfg = cfg_for(tmp_path, small_images, max_epochs=1)
    cfg.resume = True
    runner = build_runner(cfg)
    seen = warnings_of(runner.train)
    assert any(f'no checkpoint in {tmp_path}' in m and 'from scratch' in m
               for m in seen), seen


def test_unknown_cfg_options_key_names_the_nearest(capsys):
    # The script's command line, through its own functions (run_path does
    # not run main()).
    tool = runpy.run_path(osp.join(REPO, 'tools', 'train.py'))
    args = tool['parse_args']([SMALL_CONFIG, '--cfg-options',
                               'train_dataloder.batch_size=4',
                               'train_dataloader.num_workers=0'])
    cfg = tool['merge_args'](Config.fromfile(SMALL_CONFIG), args)
    err = capsys.readouterr().err
    assert "train_dataloder.batch_size" in err
    assert "did you mean 'train_dataloader'" in err
    assert 'train_dataloader.num_workers' not in err
    assert cfg.train_dataloader.num_workers == 0


def test_dataset_smaller_than_a_batch(tmp_path, small_images):
    cfg = cfg_for(tmp_path, small_images, max_epochs=1)
    cfg.train_dataloader.batch_size = 8  # 4 images, drop_last=True
    with pytest.raises(ValueError) as info:
        build_runner(cfg).train()
    message = str(info.value)
    assert 'has 4 samples' in message and 'batch of 8' in message
    assert 'train_dataloader.batch_size' in message


def test_warmup_longer_than_the_run_warns(tmp_path, small_images):
    cfg = cfg_for(tmp_path, small_images, max_epochs=1)
    cfg.param_scheduler = [dict(type='LinearLR', start_factor=0.01,
                                by_epoch=False, begin=0, end=50)]
    seen = warnings_of(build_runner(cfg).train)
    assert any('warm-up' in m and 'iteration 50' in m and '2 iterations' in m
               for m in seen), seen


@HOOKS.register_module()
class _BlowUpWeights(Hook):
    """At iteration 3 (the first of epoch 2), one weight becomes infinite,
    as after a diverging step, before any other hook looks."""
    priority = 'HIGHEST'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == 3:
            with torch.no_grad():
                next(runner.model.parameters()).view(-1)[0] = float('inf')


def test_non_finite_weights_stop_before_a_checkpoint(tmp_path, small_images):
    """The stop comes at the iteration that made the weights non-finite,
    before its checkpoint (the loss of that iteration was still finite);
    the message names the last checkpoint, whose weights are finite."""
    cfg = cfg_for(tmp_path, small_images, max_epochs=2)
    cfg.custom_hooks = [dict(type='FiniteLossHook'),
                        dict(type='_BlowUpWeights')]
    cfg.default_hooks.checkpoint = dict(
        type='AtomicCheckpointHook', by_epoch=False, interval=1,
        max_keep_ckpts=5)
    with pytest.raises(RuntimeError) as info:
        build_runner(cfg).train()
    message = str(info.value)
    assert 'non-finite weight' in message and 'iteration 3' in message
    last = osp.join(str(tmp_path), 'iter_2.pth')
    assert f'The last checkpoint, {last}, holds finite weights' in message
    assert 'largest |weight|' in message
    assert not osp.exists(osp.join(str(tmp_path), 'iter_3.pth'))
    state = load_checkpoint_file(last)['state_dict']
    assert all(torch.isfinite(v).all() for v in state.values()
               if v.is_floating_point())
