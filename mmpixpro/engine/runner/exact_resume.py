"""``--resume`` that continues the run exactly: data order and random
state included."""
import random
from functools import partial
from typing import Optional

import numpy as np
import torch
from mmengine.runner import EpochBasedTrainLoop

#: The checkpoint ``meta`` key holding the random state at the save.
RNG_KEY = 'rng_state'


def capture_rng_state() -> dict:
    """The main process's random state: torch (CPU and every GPU), numpy's
    and Python's global generators."""
    state = dict(torch=torch.get_rng_state(), numpy=list(np.random.get_state()),
                 python=random.getstate())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict) -> None:
    """Set the generators :func:`capture_rng_state` read (the GPUs' only
    when the device count matches)."""
    torch.set_rng_state(state['torch'])
    np.random.set_state(tuple(state['numpy']))
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    cuda = state.get('cuda')
    if cuda is not None and torch.cuda.is_available() and (
            len(cuda) == torch.cuda.device_count()):
        torch.cuda.set_rng_state_all(cuda)


class ExactResumeMixin:
    """``--resume`` continues the run as if it had not stopped:

    - the data order: mmengine restores the checkpoint's seed after the
      sampler and the worker seeding were built with the new run's seed
      (which differs whenever ``seed=None``); both are set to it here;
    - the main process's random state (stochastic depth, dropout, anything
      drawing from torch's, numpy's or Python's global generator): each
      checkpoint keeps it as it was at the save, and the resumed run sets
      it back where the run had gone on: at the next epoch's start
      (``before_train_epoch``, before that epoch's loader draws its seed)
      for an epoch-based loop, at the next iteration
      (``before_train_iter``) for an iteration-based one. A validation run
      between the save and that point draws from the generators too, and
      is not replayed.
    """

    _rng_to_restore: Optional[dict] = None

    def save_checkpoint(self, *args, meta: Optional[dict] = None, **kwargs):
        meta = dict(meta or {})
        meta[RNG_KEY] = capture_rng_state()
        return super().save_checkpoint(*args, meta=meta, **kwargs)

    def load_checkpoint(self, *args, **kwargs):
        checkpoint = super().load_checkpoint(*args, **kwargs)
        self._loaded_meta = checkpoint.get('meta', {})
        return checkpoint

    def resume(self, filename: str, *args, **kwargs) -> None:
        self._loaded_meta = {}
        super().resume(filename, *args, **kwargs)
        self._rng_to_restore = self._loaded_meta.get(RNG_KEY)
        loader = self.train_loop.dataloader
        if hasattr(getattr(loader, 'sampler', None), 'seed'):
            loader.sampler.seed = self.seed
        init_fn = getattr(loader, 'worker_init_fn', None)
        if isinstance(init_fn, partial) and 'seed' in init_fn.keywords:
            loader.worker_init_fn = partial(
                init_fn.func, *init_fn.args,
                **dict(init_fn.keywords, seed=self.seed))

    def call_hook(self, fn_name: str, **kwargs) -> None:
        if self._rng_to_restore is not None:
            by_epoch = isinstance(self.train_loop, EpochBasedTrainLoop)
            point = 'before_train_epoch' if by_epoch else 'before_train_iter'
            if fn_name == point:
                restore_rng_state(self._rng_to_restore)
                self._rng_to_restore = None
        super().call_hook(fn_name, **kwargs)
