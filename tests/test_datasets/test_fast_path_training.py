"""The small config on the fast path (photometric ops in the data
preprocessor) trains with a finite, falling loss and resumes exactly."""
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS
from tests.utils import build_runner, small_cfg

pytestmark = pytest.mark.slow


@HOOKS.register_module()
class _RecordPhotometric(Hook):
    """Keeps each batch's photometric parameters, as the workers drew them."""

    def __init__(self):
        self.params = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.params.append(
            torch.stack([s.photometric for s in data_batch['data_samples']]))


@HOOKS.register_module()
class _StopAfterEpoch1(Hook):
    priority = 'LOWEST'

    def after_train_epoch(self, runner):
        raise KeyboardInterrupt('stopped for the resume test')


def fast_cfg(work_dir, images, max_epochs):
    cfg = small_cfg(work_dir, images, max_epochs=max_epochs)
    assert cfg.model.data_preprocessor.type == 'PhotometricDataPreprocessor'
    assert 'DrawPhotometricParams' in str(cfg.train_dataloader.dataset)
    return cfg


def load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def test_trains_with_falling_loss_and_resumes_exactly(tmp_path, images):
    cfg = fast_cfg(tmp_path / 'straight', images, max_epochs=3)
    cfg.custom_hooks = cfg.custom_hooks + [dict(type='_RecordPhotometric')]
    runner = build_runner(cfg)
    runner.train()
    losses = torch.tensor(runner.message_hub.get_scalar('train/loss').data[0])
    assert len(losses) == 6 and torch.isfinite(losses).all()
    assert losses[-2:].mean() < losses[:2].mean(), losses
    recorder = [h for h in runner.hooks
                if type(h).__name__ == '_RecordPhotometric'][0]
    drawn = torch.cat(recorder.params)  # (iters * batch, 2, K)
    assert drawn.shape[1:] == (2, 13)
    assert (drawn[:, 0, 10] > 0).all()  # view 1 always blurred

    stopped = fast_cfg(tmp_path / 'resumed', images, max_epochs=3)
    stopped.custom_hooks = stopped.custom_hooks + [
        dict(type='_StopAfterEpoch1')]
    with pytest.raises(KeyboardInterrupt):
        build_runner(stopped).train()
    resumed = fast_cfg(tmp_path / 'resumed', images, max_epochs=3)
    resumed.resume = True
    resumed.load_from = osp.join(tmp_path, 'resumed', 'epoch_1.pth')
    build_runner(resumed).train()

    a = load(osp.join(tmp_path, 'straight', 'epoch_3.pth'))['state_dict']
    b = load(osp.join(tmp_path, 'resumed', 'epoch_3.pth'))['state_dict']
    assert a.keys() == b.keys()
    for key, value in a.items():
        torch.testing.assert_close(b[key], value, rtol=1e-5, atol=1e-7,
                                   msg=key)
