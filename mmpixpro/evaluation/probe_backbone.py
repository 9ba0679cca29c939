"""The frozen backbone the dense probe looks at: a config's
``model.backbone`` with one output stage, from any pre-trained checkpoint
(see :func:`mmpixpro.converters.read_backbone_weights`) or from the
config's seeded initialisation."""
import copy
import re
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmpixpro.converters import CheckpointError, read_backbone_weights
from mmpixpro.registry import MODELS
from mmpixpro.utils import quiet_mmengine, register_all_modules


def num_outputs(backbone: nn.Module) -> Optional[int]:
    """How many ``out_indices`` a backbone has: its stages (ResNet,
    ConvNeXt: ``num_stages``; Swin: ``num_layers``) or, for a ViT, its
    layers (``num_layers``); None when it does not say."""
    for name in ('num_stages', 'num_layers'):
        count = getattr(backbone, name, None)
        if isinstance(count, int) and count > 0:
            return count
    return None


def build_backbone(config: Union[str, Config],
                   checkpoint: str = 'random',
                   stage: int = 4,
                   target: bool = False,
                   seed: int = 0) -> Tuple[nn.Module, str]:
    """The config's ``model.backbone`` with ``out_indices=(stage - 1, )``,
    frozen in eval mode, and the checkpoint kind (``'random'``: the config's
    initialisation under ``seed``; else see :func:`read_backbone_weights`).

    ``stage`` counts the backbone's outputs from 1: a ResNet's stages 1..4
    are C2..C5; ConvNeXt and Swin have 4 stages too; a ViT has one output
    per layer (1..12 for ViT-B). Out of range is a ``ValueError`` naming
    the range :func:`num_outputs` gives.
    """
    if isinstance(stage, bool) or not isinstance(stage, int) or stage < 1:
        raise ValueError(f'stage must be a positive integer (the backbone '
                         f'output out_indices=(stage - 1, )), got {stage!r}')
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    backbone_cfg = copy.deepcopy(cfg.model.backbone)
    backbone_cfg.update(out_indices=(stage - 1, ))
    register_all_modules(init_default_scope=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        with DefaultScope.overwrite_default_scope('mmpixpro'):
            try:
                backbone = MODELS.build(backbone_cfg)
                count = num_outputs(backbone)
            except (AssertionError, IndexError) as error:
                # ResNet and ViT assert on an index past their outputs
                backbone = None
                count = num_outputs(MODELS.build(cfg.model.backbone))
                failure = error
        name = backbone_cfg.get('type')
        if count is not None and stage > count:
            raise ValueError(
                f'stage must be 1..{count} for this {name} backbone (its '
                f'{count} outputs, out_indices 0..{count - 1}), got {stage}')
        if backbone is None:
            raise ValueError(
                f'stage {stage} (out_indices=({stage - 1}, )) does not fit '
                f'the {name} backbone: {failure}') from failure
        if checkpoint == 'random':
            with quiet_mmengine():  # not every parameter's init
                backbone.init_weights()
            kind = 'random'
        else:
            state_dict, kind = read_backbone_weights(checkpoint, target)
            try:
                backbone.load_state_dict(
                    fit_output_norms(backbone, state_dict), strict=True)
            except RuntimeError as error:  # torch names the keys
                message = ' '.join(str(error).split())
                raise CheckpointError(
                    f"{checkpoint} does not fit the config's backbone: "
                    f'{message[:600]}{" ..." if len(message) > 600 else ""}'
                ) from None
    backbone.requires_grad_(False)
    backbone.eval()  # mmpretrain's ResNet.train() returns None
    return backbone, kind


def fit_output_norms(backbone: nn.Module,
                     state_dict: Dict[str, torch.Tensor]) -> Dict:
    """``state_dict`` fitted to the per-output norms of ``backbone``
    (ConvNeXt and Swin have one, ``norm{i}``, per ``out_indices`` entry i):
    the file's norms of other outputs are left out, and the backbone's own
    norm of an output the file was not pre-trained with keeps its fresh
    init (weight 1, bias 0). Every other key must fit as it is."""
    own = backbone.state_dict()
    out = {
        k: v
        for k, v in state_dict.items()
        if k in own or not re.match(r'norm\d+\.', k)
    }
    for key, value in own.items():
        if re.match(r'norm\d+\.', key) and key not in out and not any(
                k.startswith(key.split('.')[0] + '.') for k in state_dict):
            out[key] = value
    return out
