"""Hooks that ``bench_gpu_data.py`` adds to a training run: per-iteration
wall time, and, once training ends, the bare step (the same model, DDP
wrapper and optimizer on a batch already in host memory, so nothing waits
for the workers) and the data preprocessor's own GPU time."""
import json
import os.path as osp
import time

import torch
from mmengine.hooks import Hook

from mmpixpro.registry import HOOKS


def _sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


@HOOKS.register_module()
class DataBenchHook(Hook):
    priority = 'LOWEST'

    def __init__(self, out: str, bare_steps: int = 20,
                 preprocessor_reps: int = 20) -> None:
        self.out, self.bare_steps = out, bare_steps
        self.preprocessor_reps = preprocessor_reps
        self.iter_times, self.last_batch, self._t = [], None, None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if self._t is None:
            self._t = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        # The step ended with its loss read on the host (a sync).
        now = time.perf_counter()
        self.iter_times.append(now - self._t)
        self._t = now
        self.last_batch = data_batch

    def after_train(self, runner):
        model, optim_wrapper = runner.model, runner.optim_wrapper
        inner = getattr(model, 'module', model)
        device = next(inner.parameters()).device
        batch = self.last_batch
        for _ in range(3):
            model.train_step(batch, optim_wrapper)
        _sync(device)
        start = time.perf_counter()
        for _ in range(self.bare_steps):
            model.train_step(batch, optim_wrapper)
        _sync(device)
        bare = (time.perf_counter() - start) / self.bare_steps
        pre = inner.data_preprocessor
        timings = {}
        for name, training in (('preprocessor_train', True),
                               ('preprocessor_normalise_only', False)):
            with torch.no_grad():
                pre(batch, training)
                _sync(device)
                start = time.perf_counter()
                for _ in range(self.preprocessor_reps):
                    pre(batch, training)
                _sync(device)
            timings[name] = (time.perf_counter() -
                             start) / self.preprocessor_reps
        result = dict(
            iter_times=self.iter_times, bare_step_s=bare,
            batch_pairs=len(batch['data_samples']),
            preprocessor=type(pre).__name__, device=str(device), **timings)
        with open(self.out, 'w') as f:
            json.dump(result, f, indent=2)
        runner.logger.info(f'DataBenchHook: wrote {osp.abspath(self.out)}')
