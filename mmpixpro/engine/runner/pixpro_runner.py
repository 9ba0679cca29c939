"""mmengine's Runner with the square-root lr rule and a CPU route."""
import math
from functools import partial
from typing import Dict, Optional, Union

import torch
import torch.distributed as torch_dist
from mmengine.dist import is_distributed
from mmengine.model import revert_sync_batchnorm
from mmengine.runner import Runner
from mmengine.runner.checkpoint import find_latest_checkpoint

from mmpixpro.converters.checkpoint_io import unsafe_load
from mmpixpro.registry import RUNNERS


def has_accelerator() -> bool:
    return torch.cuda.is_available()


@RUNNERS.register_module()
class PixProRunner(Runner):
    """mmengine's ``Runner`` plus what PixPro configs need.

    1. ``auto_scale_lr`` takes ``rule='linear'`` (mmengine's: lr x batch /
       base) or ``rule='sqrt'`` (the authors' advice below batch 1024:
       lr x sqrt(batch / base)).
    2. Without a GPU (tests, laptops, CI) the run goes on CPU instead of
       failing: a distributed launch initialises a ``gloo`` process group
       itself (mmengine's pytorch launcher calls ``torch.cuda.set_device``),
       SyncBN becomes plain BN (torch's SyncBatchNorm refuses CPU tensors
       once a process group exists), DDP gets ``device_ids=None``, and
       ``AmpOptimWrapper`` (which asserts an accelerator) falls back to fp32.
       With a GPU nothing of this applies.
    3. Checkpoints load strictly (``load_from`` and ``--resume``): every
       tensor of the model is filled or the run stops, naming the config
       option that likely differs. mmengine's default only warns, which would
       leave e.g. a PPM transform of another depth randomly initialised.
    4. ``--resume`` continues the data order too: mmengine restores the
       checkpoint's seed after the sampler and the worker seeding were built
       with the new run's seed (which differs whenever ``seed=None``).
    5. Checkpoints are read safely (``weights_only`` with an allow-list,
       see ``mmpixpro/converters/checkpoint_io.py``); a config with
       ``unsafe_load = True`` opts in to the full unpickler for files that
       need more, only for files the user trusts. ``--resume`` without a
       checkpoint to resume from says so as a warning.
    6. A plain ``CheckpointHook`` in ``default_hooks`` becomes
       ``AtomicCheckpointHook`` (atomic writes, pruning after success).
    """

    def register_default_hooks(self, hooks=None) -> None:
        hooks = dict(hooks or {})
        ckpt = hooks.get('checkpoint')
        if isinstance(ckpt, dict) and ckpt.get('type') in (
                'CheckpointHook', 'mmengine.CheckpointHook'):
            hooks['checkpoint'] = dict(ckpt, type='AtomicCheckpointHook')
        super().register_default_hooks(hooks)

    def _unsafe_load(self):
        enabled = bool(self.cfg.get('unsafe_load', False))
        if enabled:
            self.logger.warning(
                'unsafe_load=True: checkpoints are read with the full '
                'unpickler, which runs any code a file holds; use it only '
                'for files you trust.')
        return unsafe_load(enabled)

    def train(self):
        with self._unsafe_load():
            return super().train()

    def val(self):
        with self._unsafe_load():
            return super().val()

    def test(self):
        with self._unsafe_load():
            return super().test()

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

    def load_or_resume(self) -> None:
        if (not self._has_loaded and self._resume and self._load_from is None
                and find_latest_checkpoint(self.work_dir) is None):
            self.logger.warning(
                f'--resume: no checkpoint in {self.work_dir} (no '
                'last_checkpoint file); starting from scratch')
        return super().load_or_resume()

    def setup_env(self, env_cfg: Dict) -> None:
        if (self.distributed and not is_distributed()
                and not has_accelerator()):
            torch_dist.init_process_group(backend='gloo')
        super().setup_env(env_cfg)

    def wrap_model(self, model_wrapper_cfg: Optional[Dict],
                   model: torch.nn.Module):
        if not has_accelerator():
            model = revert_sync_batchnorm(model)
            if self.distributed:
                model_wrapper_cfg = dict(model_wrapper_cfg or {})
                model_wrapper_cfg.setdefault('type',
                                             'MMDistributedDataParallel')
                model_wrapper_cfg.setdefault('broadcast_buffers', False)
                model_wrapper_cfg.setdefault('find_unused_parameters', False)
                model_wrapper_cfg['device_ids'] = None
        return super().wrap_model(model_wrapper_cfg, model)

    def build_optim_wrapper(self, optim_wrapper: Union[Dict, object]):
        if (isinstance(optim_wrapper, dict)
                and optim_wrapper.get('type') == 'AmpOptimWrapper'
                and not has_accelerator()):
            self.logger.warning(
                'AmpOptimWrapper needs a GPU; none is available, so this run '
                'trains in fp32 with OptimWrapper.')
            optim_wrapper = dict(optim_wrapper)
            optim_wrapper['type'] = 'OptimWrapper'
            for key in ('loss_scale', 'dtype', 'use_fsdp'):
                optim_wrapper.pop(key, None)
        return super().build_optim_wrapper(optim_wrapper)

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, object] = 'cpu',
                        strict: bool = True,
                        revise_keys: list = [(r'^module.', '')]):
        try:
            return super().load_checkpoint(filename, map_location, strict,
                                           revise_keys)
        except RuntimeError as e:
            if 'key' not in str(e):
                raise
            raise RuntimeError(
                f'checkpoint {filename} does not fit this model'
                f'{_mismatch_hint(str(e))}:\n{e}') from None

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

    def scale_lr(self, optim_wrapper, auto_scale_lr: Optional[Dict] = None):
        if auto_scale_lr is None or not auto_scale_lr.get('enable', False):
            return None
        rule = auto_scale_lr.get('rule', 'linear')
        if rule == 'linear':
            return super().scale_lr(optim_wrapper, auto_scale_lr)
        if rule != 'sqrt':
            raise ValueError('auto_scale_lr.rule must be "linear" or "sqrt", '
                             f'got {rule!r}')
        loader = self._train_dataloader
        batch = (loader.batch_size if hasattr(loader, 'batch_size') else
                 loader['batch_size'])
        real_bs, base_bs = self.world_size * batch, auto_scale_lr[
            'base_batch_size']
        ratio = math.sqrt(real_bs / base_bs)
        self.logger.info(f'LR is set for a batch of {base_bs}; this run uses '
                         f'{real_bs}. Scaling the LR by sqrt({real_bs}/'
                         f'{base_bs}) = {ratio:.4f} (square-root rule).')
        wrappers = (list(optim_wrapper.values()) if hasattr(
            optim_wrapper, 'values') else [optim_wrapper])
        for wrapper in wrappers:
            for group in wrapper.optimizer.param_groups:
                group['lr'] = group['lr'] * ratio


def _mismatch_hint(message: str) -> str:
    """Which config option a list of missing/unexpected keys points to."""
    hints = []
    if 'value_transform' in message:
        hints.append('model.head.predictor.num_transform_layers')
    if 'instance_' in message:
        hints.append('model.instance_loss_weight (the instance branch)')
    return f' (check {" and ".join(hints)})' if hints else ''


__all__ = ['PixProRunner', 'has_accelerator']
