"""Running a GPU config on CPU instead of failing (tests, laptops, CI)."""
from typing import Dict, Optional, Union

import torch
import torch.distributed as torch_dist
from mmengine.dist import is_distributed
from mmengine.model import revert_sync_batchnorm


def has_accelerator() -> bool:
    return torch.cuda.is_available()


class CPURouteMixin:
    """Without a GPU the run goes on CPU instead of failing.

    A distributed launch initialises a ``gloo`` process group itself
    (mmengine's pytorch launcher calls ``torch.cuda.set_device``), SyncBN
    becomes plain BN (torch's SyncBatchNorm refuses CPU tensors once a
    process group exists), DDP gets ``device_ids=None``, and
    ``AmpOptimWrapper`` (which asserts an accelerator) falls back to fp32.
    With a GPU nothing of this applies.
    """

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
