"""Configs that cannot train as written: a clear message at build time."""
from mmengine.runner import Runner


class ConfigChecksMixin:
    """A dataset too small for one batch is an error naming the fix; a
    warm-up longer than the run is a warning; a plain ``CheckpointHook`` in
    ``default_hooks`` becomes ``AtomicCheckpointHook`` (atomic writes,
    pruning after success)."""

    def register_default_hooks(self, hooks=None) -> None:
        hooks = dict(hooks or {})
        ckpt = hooks.get('checkpoint')
        if isinstance(ckpt, dict) and ckpt.get('type') in (
                'CheckpointHook', 'mmengine.CheckpointHook'):
            hooks['checkpoint'] = dict(ckpt, type='AtomicCheckpointHook')
        super().register_default_hooks(hooks)

    @staticmethod
    def build_dataloader(dataloader, seed=None, diff_rank_seed=False):
        """mmengine's, plus a clear error for a dataset too small for one
        batch with ``drop_last`` (mmengine gives a bare StopIteration or
        an epoch_length assertion)."""
        loader = Runner.build_dataloader(dataloader, seed=seed,
                                         diff_rank_seed=diff_rank_seed)
        if hasattr(loader, '__len__') and len(loader) == 0:
            size = len(loader.dataset) if hasattr(loader.dataset,
                                                  '__len__') else '?'
            per_rank = len(loader.sampler) if hasattr(loader.sampler,
                                                      '__len__') else size
            raise ValueError(
                f'the dataset has {size} samples ({per_rank} per process), '
                f'fewer than one batch of {loader.batch_size} with '
                f'drop_last={loader.drop_last}: no iteration can run. Lower '
                'train_dataloader.batch_size or add data (data_root: '
                f'{getattr(loader.dataset, "data_root", "?")})')
        return loader

    def build_param_scheduler(self, scheduler):
        schedulers = super().build_param_scheduler(scheduler)
        loop = getattr(self, '_train_loop', None)
        max_iters = getattr(loop, 'max_iters', None)
        flat = (sum(schedulers.values(), []) if isinstance(schedulers, dict)
                else schedulers or [])
        for sched in flat:
            if (type(sched).__name__ == 'LinearLR' and max_iters
                    and getattr(sched, 'start_factor', 1) < 1
                    and not sched.by_epoch and sched.end > max_iters):
                self.logger.warning(
                    f'the warm-up ({type(sched).__name__} to iteration '
                    f'{sched.end}) is longer than the run ({max_iters} '
                    'iterations): the lr never reaches its set value. '
                    'Shorten the warm-up (param_scheduler) or train longer.')
        return schedulers
