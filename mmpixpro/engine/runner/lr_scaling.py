"""``auto_scale_lr`` with the square-root rule beside mmengine's linear one."""
import math
from typing import Dict, Optional


class LRScalingMixin:
    """``auto_scale_lr`` takes ``rule='linear'`` (mmengine's: lr x batch /
    base) or ``rule='sqrt'`` (the authors' advice below batch 1024:
    lr x sqrt(batch / base), docs/recipe.md, "Optimisation")."""

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
