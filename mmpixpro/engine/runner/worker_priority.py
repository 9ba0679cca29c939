"""Data workers at a lower CPU priority than the training process."""
import os
import warnings
from typing import Callable, Optional

from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.runner import Runner

from mmpixpro.registry import RUNNERS

#: The dataloader option this mixin reads (and takes out before mmengine's
#: builder sees it).
OPTION = 'worker_nice'


def check_worker_nice(value) -> int:
    """``value`` if it is a valid ``worker_nice``, else a ``ValueError``.

    Args:
        value: The option's value from the dataloader config.

    Returns:
        int: How much higher each data worker's nice value is than the
        training process's: 0 (the same priority) to 19 (the lowest).
    """
    if isinstance(value, bool) or not isinstance(value, int) or not (
            0 <= value <= 19):
        raise ValueError(
            f'{OPTION} (a dataloader option) must be an integer from 0 to '
            '19: how much lower the data workers\' CPU priority is than the '
            f'training process\'s (19: the lowest); got {value!r}')
    return value


class UnreadWorkerNiceError(ValueError):
    """A dataloader sets ``worker_nice`` but the config's ``runner_type``
    does not read it."""


class LowPriorityWorkerInit:
    """A dataloader's ``worker_init_fn`` that runs the loader's own one
    (mmengine's seeds each worker) and then raises the worker's nice value
    by ``nice``.

    Args:
        init_fn (Callable, optional): The loader's ``worker_init_fn``.
        nice (int): Added to the worker's nice value (0 to 19).
    """

    def __init__(self, init_fn: Optional[Callable], nice: int):
        self.init_fn = init_fn
        self.nice = nice

    def __call__(self, worker_id: int) -> None:
        if self.init_fn is not None:
            self.init_fn(worker_id)
        os.nice(self.nice)


class WorkerPriorityMixin:
    """``worker_nice=N`` in a dataloader config runs its data workers N
    nice levels below the training process (0 to 19; 19 is the lowest
    priority).

    On a CPU with few cores, the data workers and torch's threads share
    the cores. A worker that takes a core in the middle of a parallel
    region makes every other torch thread wait for the one it displaced.
    With the workers at the lowest priority they run in the gaps instead:
    the main job's PixPro pre-training (1800 steps on 2 cores) took 410 s
    instead of 510 (docs/speed.md), with the same weights to the bit: the
    workers' work and seeding are unchanged. Without workers
    (``num_workers=0``) the option does nothing and says so.
    """

    @classmethod
    def build_dataloader(cls, dataloader, seed=None, diff_rank_seed=False):
        nice = None
        if isinstance(dataloader, dict) and OPTION in dataloader:
            dataloader = dict(dataloader)
            nice = check_worker_nice(dataloader.pop(OPTION))
        loader = super().build_dataloader(
            dataloader, seed=seed, diff_rank_seed=diff_rank_seed)
        if nice:
            if loader.num_workers == 0:
                warnings.warn(f'{OPTION}={nice} does nothing here: the '
                              'dataloader has no workers (num_workers=0)')
            else:
                loader.worker_init_fn = LowPriorityWorkerInit(
                    loader.worker_init_fn, nice)
        return loader


@RUNNERS.register_module()
class WorkerPriorityRunner(WorkerPriorityMixin, Runner):
    """mmengine's ``Runner`` (what mmdet's, mmseg's and mmpretrain's
    ``tools/train.py`` build for a config without ``runner_type``) plus the
    ``worker_nice`` dataloader option of :class:`WorkerPriorityMixin`.

    Our launchers build it for such configs (:func:`build_config_runner`):
    ``tools/train.py`` and ``tools/benchmarks/train_downstream.py``. With
    ``worker_nice=19`` the main job's detection and segmentation fine-tunes
    on 2 cores took about 6 % less time, with the same scores to the last
    digit (docs/speed.md). Without the option it is mmengine's ``Runner``.
    """


def build_config_runner(cfg) -> Runner:
    """The runner ``cfg`` asks for: its ``runner_type``, else
    :class:`WorkerPriorityRunner`. Looked up in the current default scope.

    Args:
        cfg (Config): The run's config.

    Returns:
        Runner: The built runner.

    Raises:
        UnreadWorkerNiceError: A dataloader sets ``worker_nice`` but
            ``runner_type`` names a runner that does not read it
            (``DataLoader`` would fail on the unknown argument, after the
            model was built).
    """
    if 'runner_type' not in cfg:
        return WorkerPriorityRunner.from_cfg(cfg)
    runner_type = cfg.runner_type
    runner_cls = runner_type
    if isinstance(runner_type, str):  # looked up as mmengine's build does
        with MMENGINE_RUNNERS.switch_scope_and_registry(
                cfg.get('_scope_')) as registry:
            runner_cls = registry.get(runner_type)
    loaders = [
        name for name in ('train_dataloader', 'val_dataloader',
                          'test_dataloader')
        if isinstance(cfg.get(name), dict) and OPTION in cfg[name]
    ]
    if loaders and isinstance(runner_cls, type) and not issubclass(
            runner_cls, WorkerPriorityMixin):
        raise UnreadWorkerNiceError(
            f'{", ".join(loaders)} set{"s" if len(loaders) == 1 else ""} '
            f'{OPTION}, which runner_type={runner_type!r} does not read; '
            f'drop {OPTION}, or use a runner with WorkerPriorityMixin '
            '(mmpixpro\'s PixProRunner or WorkerPriorityRunner)')
    return MMENGINE_RUNNERS.build(cfg)
