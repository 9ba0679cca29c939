"""Stop training at the first non-finite loss."""
import math

from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise as soon as a logged loss is NaN or infinite, naming the
    iteration, instead of training on with corrupted weights."""

    priority = 'VERY_HIGH'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        for name, value in (outputs or {}).items():
            if 'loss' not in name:
                continue
            value = float(getattr(value, 'detach', lambda: value)())
            if not math.isfinite(value):
                raise RuntimeError(
                    f'non-finite {name} = {value} at iteration '
                    f'{runner.iter + 1} (epoch {runner.epoch + 1}); stopping. '
                    'Lower the learning rate, check the data, or resume from '
                    'the last checkpoint.')
