"""Stop training at the first non-finite loss, gradient norm or weight."""
import itertools
import math
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpixpro.registry import HOOKS


def _largest_abs(tensors) -> torch.Tensor:
    """max |t| over all tensors (NaN if any is NaN), in one fused kernel per
    device and dtype where torch has it."""
    foreach_norm = getattr(torch, '_foreach_norm', None)
    if foreach_norm is not None:
        try:
            return torch.stack([n.float() for n in foreach_norm(
                tensors, float('inf'))]).amax()
        except (RuntimeError, TypeError):
            pass
    return torch.stack([t.abs().amax().float() for t in tensors]).amax()


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise as soon as a logged loss, the optim wrapper's gradient norm
    (logged as ``train/grad_norm`` when ``clip_grad`` is set) or a weight of
    the model is NaN or infinite, naming the iteration.

    The check runs after every iteration, before the checkpoint hook of the
    same iteration or epoch, so no checkpoint written while this hook runs
    holds a non-finite weight. It does not prove the last checkpoint
    healthy: a diverging run can save finite but huge weights (its
    largest absolute weight is in the message) from which training goes
    straight back to NaN.

    Args:
        check_weights: also check every parameter and buffer of the model
            each iteration (one reduction over the weights; the loss check
            alone would let a step that made the weights non-finite be
            saved before the next loss shows it).
    """

    priority = 'VERY_HIGH'

    def __init__(self, check_weights: bool = True) -> None:
        self.check_weights = check_weights
        self._seen_ckpt: Optional[str] = None
        self._max_abs = None  # largest |weight| at the last check
        self._finite_ckpt: Optional[str] = None
        self._finite_ckpt_max = None

    def _track_checkpoint(self, runner) -> None:
        """A checkpoint saved since the last check holds the weights that
        check saw (the checkpoint hook runs after this one)."""
        last = runner.message_hub.get_info('last_ckpt')
        if last and last != self._seen_ckpt:
            self._seen_ckpt = last
            self._finite_ckpt, self._finite_ckpt_max = last, self._max_abs

    def _stop(self, runner, what: str) -> None:
        if self._finite_ckpt:
            size = (f' (largest |weight| {self._finite_ckpt_max:.3g}: if it '
                    'is large, the run was already diverging there; resume '
                    'from an earlier one)'
                    if self._finite_ckpt_max is not None else '')
            kept = (f'The last checkpoint, {self._finite_ckpt}, holds finite '
                    f'weights{size}.')
        else:
            kept = 'This run has written no checkpoint yet.'
        raise RuntimeError(
            f'{what} at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}); stopping. {kept} To go on with a lower '
            'learning rate: tools/train.py CONFIG --resume CHECKPOINT '
            '--cfg-options optim_wrapper.optimizer.lr=LOWER (the resumed run '
            'takes the new lr and recomputes its schedule from it), or start '
            'again with the lower lr; else check the data.')

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self._track_checkpoint(runner)
        for name, value in (outputs or {}).items():
            if 'loss' not in name:
                continue
            value = float(getattr(value, 'detach', lambda: value)())
            if not math.isfinite(value):
                self._stop(runner, f'non-finite {name} = {value}')
        grad = runner.message_hub.log_scalars.get('train/grad_norm')
        if grad is not None and len(grad.data[0]) and not math.isfinite(
                grad.current()):
            self._stop(runner, f'non-finite gradient norm {grad.current()}')
        if self.check_weights:
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            # Parameters and buffers directly: building a state dict each
            # iteration costs about 1 ms of Python for the R50 model.
            named = [(k, t) for k, t in itertools.chain(
                model.named_parameters(), model.named_buffers())
                     if t.is_floating_point() and t.numel()]
            if named:
                with torch.no_grad():
                    peak = float(_largest_abs([t for _, t in named]))
                    if not math.isfinite(peak):
                        bad = next(k for k, t in named
                                   if not torch.isfinite(t).all())
                        self._stop(runner, f'non-finite weight {bad}')
                self._max_abs = peak
