"""``--resume`` with an lr changed for the resumed run."""
import math
import warnings
from typing import List

def _lr_groups(optim_wrapper) -> List:
    """``[(name, optimizer)]`` of an optim wrapper or an optim wrapper
    dict."""
    if hasattr(optim_wrapper, 'optim_wrappers'):
        return [(name, wrapper.optimizer)
                for name, wrapper in optim_wrapper.optim_wrappers.items()]
    return [(None, optim_wrapper.optimizer)]


def _base_lrs(optimizer) -> List[float]:
    return [g.get('initial_lr', g['lr']) for g in optimizer.param_groups]


class ResumeLrMixin:
    """A resumed run takes the config's base lr when it differs from the
    checkpoint's (an lr given with ``--cfg-options`` on the resumed run, or
    a different ``--auto-scale-lr`` result): mmengine would restore the old
    lr with the optimizer and scheduler state. The lr schedule is then
    replayed from the new base up to the resumed step, so warm-up and
    cosine go on as if the run had started with it, and one line logs both
    lrs."""

    def resume(self, filename: str, *args, **kwargs) -> None:
        built = not isinstance(self.optim_wrapper, dict)
        configured = ([(name, _base_lrs(opt))
                       for name, opt in _lr_groups(self.optim_wrapper)]
                      if built else [])
        super().resume(filename, *args, **kwargs)
        if configured:
            self._apply_configured_lr(configured, filename)

    def _lr_schedulers(self, name) -> List:
        schedulers = self.param_schedulers or []
        if isinstance(schedulers, dict):
            schedulers = schedulers.get(name, [])
        return [s for s in schedulers if getattr(s, 'param_name', None) ==
                'lr']

    def _apply_configured_lr(self, configured, filename: str) -> None:
        """Where the config's base lr (``configured``, per param group,
        read before the checkpoint was loaded) differs from the restored
        one, make the config's the base and replay the lr schedule."""
        for (name, new), (_, optimizer) in zip(configured,
                                               _lr_groups(self.optim_wrapper)):
            old = _base_lrs(optimizer)
            if len(old) != len(new) or all(
                    math.isclose(a, b, rel_tol=1e-9, abs_tol=0)
                    for a, b in zip(old, new)):
                continue
            for group, lr in zip(optimizer.param_groups, new):
                group['initial_lr'] = lr
                group['lr'] = lr
            self._replay_lr_schedule(name, optimizer)
            where = f' of {name}' if name else ''
            self.logger.warning(
                f'--resume: the config\'s lr{where} ({_fmt(new)}) differs '
                f'from the one {filename} trained with ({_fmt(old)}): '
                f'training continues with base lr {_fmt(new)} (lr now '
                f'{_fmt([g["lr"] for g in optimizer.param_groups])}, the '
                'schedule recomputed from the new base)')

    def _replay_lr_schedule(self, name, optimizer) -> None:
        """Step fresh copies of the lr schedulers' state from the start to
        the restored step, as the run steps them: iteration-based ones after
        every iteration, epoch-based ones after each epoch's last iteration
        (``epoch_length`` iterations)."""
        schedulers = self._lr_schedulers(name)
        if not schedulers:
            return
        targets = [s._global_step for s in schedulers]
        for s in schedulers:
            s.base_values = [g['initial_lr'] for g in optimizer.param_groups]
            s.last_step, s._global_step = -1, -1
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # "step before optimizer.step"
            for s in schedulers:  # as each did when it was built
                s.step()
            by_iter = [s for s in schedulers if not s.by_epoch]
            by_epoch = [s for s in schedulers if s.by_epoch]
            iters = max([t for s, t in zip(schedulers, targets)
                         if not s.by_epoch], default=0)
            epochs = max([t for s, t in zip(schedulers, targets)
                          if s.by_epoch], default=0)
            length = len(self.train_dataloader) if by_epoch and by_iter \
                else 1
            if by_iter:
                for it in range(1, iters + 1):
                    for s in by_iter:
                        s.step()
                    if by_epoch and it % length == 0 and (
                            by_epoch[0]._global_step < epochs):
                        for s in by_epoch:
                            s.step()
            for _ in range(epochs - (by_epoch[0]._global_step
                                     if by_epoch else 0)):
                for s in by_epoch:
                    s.step()
        replayed = [s._global_step for s in schedulers]
        if replayed != targets:
            raise RuntimeError(
                'could not apply the new lr on --resume: the lr schedulers '
                f'were stepped {targets} times, the replay reached '
                f'{replayed}. Start a new run from the checkpoint instead '
                '(load_from=CHECKPOINT, without --resume) with the lr you '
                'want')


def _fmt(values) -> str:
    values = [float(f'{v:.6g}') for v in values]
    if len(set(values)) == 1:
        return f'{values[0]:g}'
    return '[' + ', '.join(f'{v:g}' for v in values) + ']'
