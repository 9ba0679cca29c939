"""The frozen backbone the dense probe looks at: a config's
``model.backbone`` with one output stage, from any pre-trained checkpoint
(see :func:`mmpixpro.converters.read_backbone_weights`) or from the
config's seeded initialisation."""
import copy
from typing import Dict, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmpixpro.converters import CheckpointError, read_backbone_weights
from mmpixpro.registry import MODELS
from mmpixpro.utils import quiet_mmengine, register_all_modules


def load_strict(module: nn.Module, state_dict: Dict[str, torch.Tensor],
                source: str) -> None:
    """``load_state_dict`` that refuses any partial fit, naming the keys."""
    own = module.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    shapes = [f'{k}: checkpoint {tuple(v.shape)}, model {tuple(own[k].shape)}'
              for k, v in state_dict.items()
              if k in own and v.shape != own[k].shape]
    problems = [f'{len(keys)} {what}, e.g. {keys[:3]}' for what, keys in (
        ('missing keys', missing), ('unexpected keys', unexpected),
        ('shape mismatches', shapes)) if keys]
    if problems:
        raise CheckpointError(
            f"{source} does not fit the config's backbone: " +
            '; '.join(problems))
    module.load_state_dict(state_dict, strict=True)


def build_backbone(config: Union[str, Config],
                   checkpoint: str = 'random',
                   stage: int = 4,
                   target: bool = False,
                   seed: int = 0) -> Tuple[nn.Module, str]:
    """The config's ``model.backbone`` with ``out_indices=(stage - 1, )``,
    frozen in eval mode, and the checkpoint kind (``'random'``: the config's
    initialisation under ``seed``; else see :func:`read_backbone_weights`)."""
    if stage not in (1, 2, 3, 4):
        raise ValueError(f'stage must be 1..4 (C2..C5), got {stage}')
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    backbone_cfg = copy.deepcopy(cfg.model.backbone)
    backbone_cfg.update(out_indices=(stage - 1, ))
    register_all_modules(init_default_scope=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        with DefaultScope.overwrite_default_scope('mmpixpro'):
            backbone = MODELS.build(backbone_cfg)
        if checkpoint == 'random':
            with quiet_mmengine():  # not every parameter's init
                backbone.init_weights()
            kind = 'random'
        else:
            state_dict, kind = read_backbone_weights(checkpoint, target)
            load_strict(backbone, state_dict, checkpoint)
    backbone.requires_grad_(False)
    backbone.eval()  # mmpretrain's ResNet.train() returns None
    return backbone, kind
