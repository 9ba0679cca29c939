"""``--resume`` without a path: which checkpoint of the work directory."""
import os
import os.path as osp
import re
from typing import Optional

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
    Both ``tools/train.py`` (through :class:`ResumeSourceMixin`) and
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


class ResumeSourceMixin:
    """``--resume`` without a path takes the work directory's own newest
    checkpoint (see :func:`resume_checkpoint`; also after the folder was
    moved or copied) and says which file it took, or warns that there is
    nothing to resume from and starts from scratch."""

    def load_or_resume(self) -> None:
        choose_resume_checkpoint(self)
        return super().load_or_resume()
