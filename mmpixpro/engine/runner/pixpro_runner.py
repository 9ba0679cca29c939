"""mmengine's Runner with what PixPro configs need, one mixin a concern."""
from mmengine.runner import Runner

from mmpixpro.registry import RUNNERS
from .config_checks import ConfigChecksMixin
from .cpu_route import CPURouteMixin
from .exact_resume import ExactResumeMixin
from .lr_scaling import LRScalingMixin
from .resume_lr import ResumeLrMixin
from .resume_source import ResumeSourceMixin
from .run_name import RunNameMixin
from .safe_loading import SafeLoadingMixin
from .strict_loading import StrictLoadingMixin
from .work_dir_lock import WorkDirLockMixin
from .worker_priority import WorkerPriorityMixin


@RUNNERS.register_module()
class PixProRunner(LRScalingMixin, CPURouteMixin, StrictLoadingMixin,
                   ResumeSourceMixin, ResumeLrMixin, ExactResumeMixin,
                   SafeLoadingMixin, ConfigChecksMixin, WorkDirLockMixin,
                   RunNameMixin, WorkerPriorityMixin, Runner):
    """mmengine's ``Runner`` plus what PixPro configs need:

    1. ``LRScalingMixin``: ``auto_scale_lr`` with ``rule='sqrt'`` as well as
       mmengine's linear rule.
    2. ``CPURouteMixin``: without a GPU the run goes on CPU (gloo, plain BN,
       fp32) instead of failing.
    3. ``StrictLoadingMixin``: ``load_from`` and ``--resume`` fill every
       tensor or stop, naming the config option that likely differs.
    4. ``ResumeSourceMixin``: ``--resume`` without a path takes the work
       directory's own newest checkpoint (also after the folder was moved
       or copied) and says which, or says that there is nothing to resume
       from. ``ResumeLrMixin``: an lr changed for the resumed run is
       applied, with the schedule recomputed from it.
       ``ExactResumeMixin``: the data order and the main process's random
       state (stochastic depth, dropout) continue as if uninterrupted.
    5. ``SafeLoadingMixin``: checkpoints are read with the safe unpickler
       unless the config sets ``unsafe_load = True``.
    6. ``ConfigChecksMixin``: clear messages for a dataset smaller than a
       batch, a warm-up longer than the run, a hook argument the hook does
       not take and a fast pipeline without ``PhotometricDataPreprocessor``;
       a plain ``CheckpointHook`` becomes ``AtomicCheckpointHook``.
    7. ``WorkDirLockMixin``: one run per work directory; a second run into
       the same folder stops, naming the folder and the first run's pid.
    8. ``RunNameMixin``: each runner built in one process has a logger,
       message hub and default scope of its own, also when two are built
       within the same second (mmengine names them after the second).
    9. ``WorkerPriorityMixin``: ``worker_nice=N`` in a dataloader config
       runs its data workers N nice levels below the training process, so
       that on a CPU with few cores they wait for torch's threads instead
       of stalling them.

    Each mixin overrides only ``Runner`` methods of its own concern and
    calls ``super()``, so they compose in any order.
    """


__all__ = ['PixProRunner']
