"""``--resume`` that continues the run exactly, data order included."""
from functools import partial

from mmengine.runner.checkpoint import find_latest_checkpoint


class ExactResumeMixin:
    """``--resume`` continues the data order too: mmengine restores the
    checkpoint's seed after the sampler and the worker seeding were built
    with the new run's seed (which differs whenever ``seed=None``).
    ``--resume`` without a checkpoint to resume from says so as a
    warning."""

    def load_or_resume(self) -> None:
        if (not self._has_loaded and self._resume and self._load_from is None
                and find_latest_checkpoint(self.work_dir) is None):
            self.logger.warning(
                f'--resume: no checkpoint in {self.work_dir} (no '
                'last_checkpoint file); starting from scratch')
        return super().load_or_resume()

    def resume(self, filename: str, *args, **kwargs) -> None:
        super().resume(filename, *args, **kwargs)
        loader = self.train_loop.dataloader
        if hasattr(getattr(loader, 'sampler', None), 'seed'):
            loader.sampler.seed = self.seed
        init_fn = getattr(loader, 'worker_init_fn', None)
        if isinstance(init_fn, partial) and 'seed' in init_fn.keywords:
            loader.worker_init_fn = partial(
                init_fn.func, *init_fn.args,
                **dict(init_fn.keywords, seed=self.seed))
