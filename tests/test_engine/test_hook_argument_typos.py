"""A hook argument the hook does not take fails when the runner is built,
with the nearest-key message --cfg-options typos at the top level get: a
misspelt CheckpointHook key (max_keep_ckpt) used to fail only at the first
save, hundreds of iterations in. Hooks taking **kwargs pass, except
CheckpointHook's, which end in the runner's save_checkpoint."""
import os.path as osp
import runpy

import pytest
from mmengine.config import Config
from mmengine.hooks import Hook

from mmpixpro.engine.runner.launch import build_runner
from mmpixpro.registry import HOOKS
from tests.utils import REPO, SMALL_CONFIG


@HOOKS.register_module()
class _TakesAnything(Hook):

    def __init__(self, **kwargs):
        self.kwargs = kwargs


def config(tmp_path, *options):
    """The small config with tools/train.py's command line applied, through
    the script's own functions (as the top-level typo test does)."""
    tool = runpy.run_path(osp.join(REPO, 'tools', 'train.py'))
    args = tool['parse_args']([
        SMALL_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options', 'train_dataloader.num_workers=0',
        *options
    ])
    return tool['merge_args'](Config.fromfile(SMALL_CONFIG), args)


@pytest.mark.parametrize('hook_type',
                         ['AtomicCheckpointHook', 'CheckpointHook'])
def test_checkpoint_hook_typo_fails_at_build(tmp_path, hook_type):
    """The report's key, on the config's hook and on mmengine's."""
    cfg = config(tmp_path, 'default_hooks.checkpoint.max_keep_ckpt=1',
                 f'default_hooks.checkpoint.type={hook_type}')
    with pytest.raises(ValueError) as info:
        build_runner(cfg)
    assert (f'default_hooks.checkpoint.max_keep_ckpt: {hook_type} takes no '
            "argument 'max_keep_ckpt'; did you mean 'max_keep_ckpts'?"
            ) in str(info.value)


def test_logger_hook_typo_fails_at_build(tmp_path):
    cfg = config(tmp_path, 'default_hooks.logger.intervall=5')
    with pytest.raises(ValueError, match="LoggerHook takes no argument "
                       "'intervall'; did you mean 'interval'"):
        build_runner(cfg)


def test_custom_hook_typo_fails_at_build(tmp_path):
    cfg = config(tmp_path)
    cfg.custom_hooks = list(cfg.custom_hooks) + [
        dict(type='EmptyCacheHook', after_iterr=True)]
    with pytest.raises(ValueError) as info:
        build_runner(cfg)
    assert (f'custom_hooks[{len(cfg.custom_hooks) - 1}].after_iterr: '
            "EmptyCacheHook takes no argument 'after_iterr'; did you mean "
            "'after_iter'?") in str(info.value)


def test_right_keys_and_kwargs_hooks_pass(tmp_path):
    cfg = config(tmp_path, 'default_hooks.checkpoint.max_keep_ckpts=1',
                 'default_hooks.checkpoint.priority=NORMAL')
    cfg.custom_hooks = list(cfg.custom_hooks) + [
        dict(type='_TakesAnything', anything=1),
        dict(type='EmptyCacheHook', after_iter=True, priority='LOW')]
    runner = build_runner(cfg)
    hook = [h for h in runner.hooks if type(h).__name__ == '_TakesAnything']
    assert hook[0].kwargs == dict(anything=1)
    ckpt = [h for h in runner.hooks if 'Checkpoint' in type(h).__name__]
    assert ckpt[0].max_keep_ckpts == 1
