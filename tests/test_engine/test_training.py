"""Real mmengine Runner runs of the small config on generated images."""
import glob
import os.path as osp
import sys

import pytest
import torch
from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS
from tests.utils import build_runner, dist_train, run_tool, small_cfg, train_py

pytestmark = pytest.mark.slow


def load_ckpt(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def test_training_runs_and_writes_checkpoints(tmp_path, images):
    runner = build_runner(small_cfg(tmp_path, images))
    runner.train()
    # fp16 AMP needs a GPU: on CPU the runner falls back to fp32.
    assert type(runner.optim_wrapper).__name__ == 'OptimWrapper'
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    assert len(losses) == 4
    assert all(torch.isfinite(torch.tensor(losses)))
    assert len(set(round(float(v), 6) for v in losses)) > 1
    for epoch in (1, 2):
        assert osp.isfile(osp.join(tmp_path, f'epoch_{epoch}.pth'))
    ckpt = load_ckpt(osp.join(tmp_path, 'epoch_2.pth'))
    assert int(ckpt['state_dict']['target_net.steps']) == 4
    assert ckpt['message_hub']['runtime_info']['max_iters'] == 4


@HOOKS.register_module()
class _StopAfterFirstEpoch(Hook):
    """Simulates a job killed after its first epoch's checkpoint."""
    priority = 'LOWEST'

    def after_train_epoch(self, runner):
        raise KeyboardInterrupt('stopped for the resume test')


def test_resume_continues_exactly(tmp_path, images):
    straight = small_cfg(tmp_path / 'straight', images)
    build_runner(straight).train()

    stopped = small_cfg(tmp_path / 'resumed', images)
    stopped.custom_hooks = stopped.custom_hooks + [
        dict(type='_StopAfterFirstEpoch')]
    with pytest.raises(KeyboardInterrupt):
        build_runner(stopped).train()
    first = osp.join(tmp_path, 'resumed', 'epoch_1.pth')
    assert int(load_ckpt(first)['state_dict']['target_net.steps']) == 2
    assert not osp.exists(osp.join(tmp_path, 'resumed', 'epoch_2.pth'))

    # Continue with the command a user types, from a config without a fixed
    # seed: the checkpoint's seed must drive the data order from here on.
    cfg_file = str(tmp_path / 'resume_cfg.py')
    resumed = small_cfg(tmp_path / 'resumed', images)
    resumed.randomness = dict(seed=None)
    resumed.dump(cfg_file)
    proc = run_tool([sys.executable, train_py(), cfg_file, '--resume', first])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    a = load_ckpt(osp.join(tmp_path, 'straight', 'epoch_2.pth'))
    b = load_ckpt(osp.join(tmp_path, 'resumed', 'epoch_2.pth'))
    # Bit-equal, not close: the same data order, the same updates, on the
    # same machine. A resume that perturbed anything slightly would differ.
    assert a['state_dict'].keys() == b['state_dict'].keys()
    assert any(k.startswith('target_net.module.') for k in a['state_dict'])
    assert_equal_tree(a['state_dict'], b['state_dict'], 'state_dict')
    assert int(b['state_dict']['target_net.steps']) == 4
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    # Optimiser: every state tensor (momentum buffers of every parameter)
    # and the param groups (lr at the last step included).
    assert a['optimizer']['state'] and all(
        'momentum_buffer' in st for st in a['optimizer']['state'].values())
    assert_equal_tree(a['optimizer'], b['optimizer'], 'optimizer')
    assert_equal_tree(a['param_schedulers'], b['param_schedulers'],
                      'param_schedulers')


def assert_equal_tree(a, b, path):
    """``a`` and ``b`` hold the same structure with bit-equal tensors and
    equal values everywhere."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor), path
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert torch.equal(a, b), (
            f'{path}: max difference {(a.double() - b.double()).abs().max()}')
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_equal_tree(a[key], b[key], f'{path}.{key}')
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_equal_tree(x, y, f'{path}[{i}]')
    else:
        assert a == b, f'{path}: {a!r} != {b!r}'


def test_dist_train_two_processes_on_cpu(tmp_path, images):
    cfg = small_cfg(tmp_path / 'work', images, max_epochs=1, batch_size=2)
    proc = dist_train(cfg, str(tmp_path / 'dist_cfg.py'))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert 'Distributed training: True' in out
    ckpt = load_ckpt(osp.join(tmp_path, 'work', 'epoch_1.pth'))
    # 8 images / (2 processes x 2 per batch) = 2 iterations.
    assert int(ckpt['state_dict']['target_net.steps']) == 2
    assert ckpt['meta']['iter'] == 2


def test_non_finite_loss_stops_training(tmp_path, images):
    cfg = small_cfg(tmp_path, images, max_epochs=2)
    cfg.optim_wrapper.optimizer.lr = float('nan')
    runner = build_runner(cfg)
    # lr = NaN: iteration 1's loss is finite, its update is not. The weight
    # check stops there, a step before the loss would show it.
    with pytest.raises(RuntimeError,
                       match=r'non-finite weight .*at iteration 1 '):
        runner.train()
    assert not glob.glob(osp.join(tmp_path, 'epoch_*.pth'))


@pytest.mark.parametrize('rule,factor', [('linear', 4 / 16),
                                         ('sqrt', (4 / 16)**0.5)])
def test_auto_scale_lr_rules(tmp_path, images, rule, factor):
    cfg = small_cfg(tmp_path, images, max_epochs=2)
    cfg.auto_scale_lr = dict(base_batch_size=16, enable=True, rule=rule)
    cfg.train_cfg.max_epochs = 1
    runner = build_runner(cfg)
    runner.train()
    lr = runner.optim_wrapper.optimizer.param_groups[0]['initial_lr']
    assert lr == pytest.approx(0.5 * factor)


def test_mismatched_checkpoint_is_refused_naming_the_option(tmp_path, images):
    cfg = small_cfg(tmp_path / 'two_layers', images, max_epochs=1)
    cfg.model.head.predictor.num_transform_layers = 2
    runner = build_runner(cfg)
    path = str(tmp_path / 'two_layers.pth')
    torch.save(dict(meta=dict(), state_dict=runner.model.state_dict()), path)

    cfg = small_cfg(tmp_path / 'one_layer', images, max_epochs=1)
    cfg.load_from = path
    with pytest.raises(RuntimeError, match='num_transform_layers'):
        build_runner(cfg).train()
