"""The small config trains and resumes exactly under each speed lever:
channels_last, bf16 autocast (AutocastOptimWrapper, on the CPU too) and
torch.compile of the encoders (the ``aot_eager`` backend: the same graph
capture and autograd as the default, without the C++ build)."""
import os.path as osp

import pytest
import torch

from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS
from tests.utils import build_runner, small_cfg

pytestmark = pytest.mark.slow

LEVERS = {
    'channels_last': lambda cfg: cfg.model.update(channels_last=True),
    'bf16': lambda cfg: cfg.merge_from_dict(dict(optim_wrapper=dict(
        _delete_=True, type='AutocastOptimWrapper', dtype='bfloat16',
        optimizer=cfg.optim_wrapper.optimizer))),
    'compile': lambda cfg: cfg.model.update(
        compile_encoder=dict(backend='aot_eager')),
}


@HOOKS.register_module()
class _StopAfterEpochOne(Hook):
    """A job killed right after its first epoch's checkpoint."""
    priority = 'LOWEST'

    def after_train_epoch(self, runner):
        raise KeyboardInterrupt('stopped after epoch 1')


def lever_cfg(lever, work_dir, images, max_epochs):
    cfg = small_cfg(work_dir, images, max_epochs=max_epochs)
    LEVERS[lever](cfg)
    return cfg


def load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.mark.parametrize('lever', sorted(LEVERS))
def test_trains_and_resumes_exactly(tmp_path, images, lever):
    runner = build_runner(lever_cfg(lever, tmp_path / 'straight', images, 3))
    runner.train()
    if lever == 'bf16':
        assert type(runner.optim_wrapper).__name__ == 'AutocastOptimWrapper'
    if lever == 'channels_last':
        conv = runner.model.target_net.module.backbone.conv1.weight
        assert conv.is_contiguous(memory_format=torch.channels_last)
    losses = torch.tensor(runner.message_hub.get_scalar('train/loss').data[0])
    assert len(losses) == 6 and torch.isfinite(losses).all()
    assert losses[-2:].mean() < losses[:2].mean(), losses

    # The same run stopped after epoch 1 and resumed from its checkpoint.
    stopped = lever_cfg(lever, tmp_path / 'resumed', images, 3)
    stopped.custom_hooks = stopped.custom_hooks + [
        dict(type='_StopAfterEpochOne')]
    with pytest.raises(KeyboardInterrupt):
        build_runner(stopped).train()
    resumed = lever_cfg(lever, tmp_path / 'resumed', images, 3)
    resumed.resume = True
    resumed.load_from = osp.join(tmp_path, 'resumed', 'epoch_1.pth')
    build_runner(resumed).train()
    a = load(osp.join(tmp_path, 'straight', 'epoch_3.pth'))
    b = load(osp.join(tmp_path, 'resumed', 'epoch_3.pth'))
    assert a['state_dict'].keys() == b['state_dict'].keys()
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    for pid, state in a['optimizer']['state'].items():
        for key, value in state.items():
            assert torch.equal(value, b['optimizer']['state'][pid][key])


@pytest.mark.parametrize('static_graph', [False, True])
def test_user_ddp_settings_train_two_processes(tmp_path, images,
                                               static_graph):
    """The user config's DDP settings (gradient bucket views), and
    ``static_graph``, through tools/dist_train.sh with 2 CPU processes."""
    from mmengine.config import Config

    from tests.utils import dist_train
    from tests.test_models.test_speed_levers import USER_CONFIG

    cfg = small_cfg(tmp_path / 'work', images, max_epochs=1, batch_size=2)
    cfg.model_wrapper_cfg = Config.fromfile(USER_CONFIG).model_wrapper_cfg
    assert cfg.model_wrapper_cfg.gradient_as_bucket_view is True
    cfg.model_wrapper_cfg.static_graph = static_graph
    cfg.model.channels_last = True
    proc = dist_train(cfg, str(tmp_path / 'dist_cfg.py'))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    ckpt = load(osp.join(tmp_path, 'work', 'epoch_1.pth'))
    assert int(ckpt['state_dict']['target_net.steps']) == 2
    assert all(torch.isfinite(v).all() for v in ckpt['state_dict'].values()
               if v.is_floating_point())
