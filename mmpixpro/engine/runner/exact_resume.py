"""``--resume`` that continues the run exactly, data order included, from
the work directory's own checkpoint, with the lr the command line gives."""
import math
import os
import os.path as osp
import re
import warnings
from functools import partial
from typing import List, Optional

#: The checkpoint names mmengine's CheckpointHook writes by default.
CHECKPOINT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def newest_checkpoint(folder: str,
                      kind: Optional[str] = None) -> Optional[str]:
    """The ``epoch_N.pth`` or ``iter_N.pth`` in ``folder`` with the highest
    N (of ``kind``, ``'epoch'`` or ``'iter'``, when given and present);
    between the newest of each kind, the later modified. None if there is
    none."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    best = {}
    for name in names:
        match = CHECKPOINT_NAME.match(name)
        if match and osp.isfile(osp.join(folder, name)):
            prefix, step = match.group(1), int(match.group(2))
            if prefix not in best or step > best[prefix][0]:
                best[prefix] = (step, osp.join(folder, name))
    if not best:
        return None
    if kind in best:
        return best[kind][1]
    return max((path for _, path in best.values()), key=osp.getmtime)


def resume_checkpoint(work_dir: str, logger) -> Optional[str]:
    """The checkpoint ``--resume`` (without a path) continues from, with
    one line on ``logger`` saying which and why; None (after a warning)
    when the work directory has none.

    ``work_dir/last_checkpoint`` names the newest checkpoint by its full
    path. When that path is outside ``work_dir`` (the folder was moved or
    copied) and ``work_dir`` holds a file of that name, that file is taken,
    not the other folder's; when the named file is missing, the newest
    ``epoch_N.pth``/``iter_N.pth`` in ``work_dir`` is. A checkpoint outside
    the work directory is still taken when the work directory has no file
    of its name (a checkpoint hook with ``out_dir``).

    Raises:
        FileNotFoundError: ``last_checkpoint`` names a missing file and
            ``work_dir`` holds no checkpoint.
    """
    record = osp.join(work_dir, 'last_checkpoint')
    recorded = ''
    if osp.isfile(record):
        with open(record) as f:
            recorded = f.read().strip()
    if not recorded:
        newest = newest_checkpoint(work_dir)
        if newest is None:
            logger.warning(
                f'--resume: no checkpoint in {work_dir} (no last_checkpoint '
                'file, no epoch_N.pth or iter_N.pth); starting from scratch')
            return None
        logger.info(f'--resume: resuming from {newest}, the newest '
                    f'checkpoint in {work_dir} (it has no last_checkpoint '
                    'file)')
        return newest
    inside = (osp.realpath(osp.dirname(recorded)) == osp.realpath(work_dir))
    if inside and osp.isfile(recorded):
        logger.info(f'--resume: resuming from {recorded} (named by '
                    f'{record})')
        return recorded
    own = osp.join(work_dir, osp.basename(recorded))
    if not inside and osp.isfile(own):
        logger.info(
            f'--resume: resuming from {own}, this work directory\'s own '
            f'copy: {record} names {recorded}, outside {work_dir} (the '
            'folder was moved or copied)')
        return own
    if osp.isfile(recorded):
        logger.info(f'--resume: resuming from {recorded} (named by '
                    f'{record})')
        return recorded
    match = CHECKPOINT_NAME.match(osp.basename(recorded))
    newest = newest_checkpoint(work_dir, match and match.group(1))
    if newest is None:
        raise FileNotFoundError(
            f'--resume: {record} names {recorded}, which does not exist, and '
            f'{work_dir} holds no epoch_N.pth or iter_N.pth; give the '
            'checkpoint to resume from (--resume PATH)')
    logger.warning(f'--resume: {record} names {recorded}, which does not '
                   f'exist; resuming from {newest}, the newest checkpoint '
                   f'in {work_dir}')
    return newest


def choose_resume_checkpoint(runner) -> None:
    """For a runner set to resume without a path (``resume=True``,
    ``load_from=None``): point it at :func:`resume_checkpoint`'s choice, or,
    when there is none, let it start from scratch (after the warning).
    Both ``tools/train.py`` (through :class:`ExactResumeMixin`) and
    ``tools/benchmarks/train_downstream.py`` (mmdet's and mmseg's runners)
    call it before loading."""
    if runner._has_loaded or not runner._resume or (runner._load_from
                                                    is not None):
        return
    path = resume_checkpoint(runner.work_dir, runner.logger)
    if path is None:
        runner._resume = False
    else:
        runner._load_from = path


def _lr_groups(optim_wrapper) -> List:
    """``[(name, optimizer)]`` of an optim wrapper or an optim wrapper
    dict."""
    if hasattr(optim_wrapper, 'optim_wrappers'):
        return [(name, wrapper.optimizer)
                for name, wrapper in optim_wrapper.optim_wrappers.items()]
    return [(None, optim_wrapper.optimizer)]


def _base_lrs(optimizer) -> List[float]:
    return [g.get('initial_lr', g['lr']) for g in optimizer.param_groups]


class ExactResumeMixin:
    """``--resume`` continues the run:

    - from the work directory's own newest checkpoint when no path is
      given (see :func:`resume_checkpoint`), saying which file it took, or
      with a warning when there is nothing to resume from;
    - with the data order too: mmengine restores the checkpoint's seed
      after the sampler and the worker seeding were built with the new
      run's seed (which differs whenever ``seed=None``);
    - with the config's base lr when it differs from the checkpoint's (an
      lr given with ``--cfg-options`` on the resumed run, or a different
      ``--auto-scale-lr`` result): mmengine would restore the old lr with
      the optimizer and scheduler state. The lr schedule is then replayed
      from the new base up to the resumed step, so warm-up and cosine go on
      as if the run had started with it, and one line logs both lrs.
    """

    def load_or_resume(self) -> None:
        choose_resume_checkpoint(self)
        return super().load_or_resume()

    def resume(self, filename: str, *args, **kwargs) -> None:
        built = not isinstance(self.optim_wrapper, dict)
        configured = ([(name, _base_lrs(opt))
                       for name, opt in _lr_groups(self.optim_wrapper)]
                      if built else [])
        super().resume(filename, *args, **kwargs)
        if configured:
            self._apply_configured_lr(configured, filename)
        loader = self.train_loop.dataloader
        if hasattr(getattr(loader, 'sampler', None), 'seed'):
            loader.sampler.seed = self.seed
        init_fn = getattr(loader, 'worker_init_fn', None)
        if isinstance(init_fn, partial) and 'seed' in init_fn.keywords:
            loader.worker_init_fn = partial(
                init_fn.func, *init_fn.args,
                **dict(init_fn.keywords, seed=self.seed))

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
