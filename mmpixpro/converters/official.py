"""The authors' released PixPro checkpoints <-> our ``PixPro`` state dict.

Released layout (docs/recipe.md, "Released checkpoints"):
``{'model': state_dict}`` of the DDP-wrapped model, keys
``module.encoder.*`` (torchvision ResNet names, which mmpretrain's ResNet
shares), ``module.encoder_k.*``, ``module.projector.*``,
``module.projector_k.*``, ``module.value_transform.*`` and, with the
instance branch, ``module.projector_instance.*``,
``module.projector_instance_k.*``, ``module.predictor.*``. Files are read
by :mod:`.pretrained`.
"""
from collections import OrderedDict
from typing import Dict, Tuple

import torch

from .safe_load import CheckpointError

# released prefix -> our prefix; the first match wins, so longer prefixes
# (encoder_k, projector_instance_k) come before their stems.
KEY_MAP = (
    ('encoder_k.', 'target_net.module.backbone.'),
    ('encoder.', 'backbone.'),
    ('projector_instance_k.', 'target_net.module.instance_neck.'),
    ('projector_instance.', 'instance_neck.'),
    ('projector_k.', 'target_net.module.neck.'),
    ('projector.', 'neck.'),
    ('value_transform.', 'head.predictor.value_transform.'),
    ('predictor.', 'instance_head.predictor.'),
)
REQUIRED = ('encoder.', 'encoder_k.', 'projector.', 'projector_k.')


def convert_official_state_dict(
        official: Dict[str, torch.Tensor]) -> Tuple[OrderedDict, dict]:
    """Map a released state dict to ours.

    Returns ``(state_dict, info)`` where ``info`` holds the model settings
    the weights imply (``num_transform_layers``, ``instance_branch``) and
    ``dropped`` keys (a classifier ``fc.*`` the encoder may carry). Raises
    :class:`CheckpointError` on keys it does not recognise.
    """
    stripped = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in official.items())
    missing = [p for p in REQUIRED
               if not any(k.startswith(p) for k in stripped)]
    if missing:
        raise CheckpointError(
            'expected a released PixPro checkpoint with keys '
            'module.encoder.*, module.encoder_k.*, module.projector.*, '
            f'module.projector_k.*; found none for {missing}; keys look like '
            f'{list(stripped)[:4]}')
    out, unknown, dropped = OrderedDict(), [], []
    for key, value in stripped.items():
        for src, dst in KEY_MAP:
            if key.startswith(src):
                rest = key[len(src):]
                if (src in ('encoder.', 'encoder_k.')
                        and rest.startswith('fc.')):
                    dropped.append(key)
                else:
                    out[dst + rest] = value
                break
        else:
            unknown.append(key)
    if unknown:
        raise CheckpointError(
            f'unrecognised keys in the released checkpoint: {unknown[:8]}'
            f'{" ..." if len(unknown) > 8 else ""}')
    if any(k.startswith('value_transform.linear1') for k in stripped):
        layers = 2
    elif 'value_transform.weight' in stripped:
        layers = 1
    else:
        layers = 0
    instance = any(k.startswith('projector_instance.') for k in stripped)
    # The momentum schedule of a new run starts at k = 0; the loaded target is
    # averaged into from the first iteration on, never overwritten.
    out['target_net.steps'] = torch.tensor(0, dtype=torch.long)
    info = dict(
        num_transform_layers=layers, instance_branch=instance, dropped=dropped)
    return out, info


def check_target_shapes(state_dict: Dict[str, torch.Tensor],
                        source: str = 'the checkpoint') -> None:
    """Refuse a converted state dict whose momentum (target) tensors differ
    in shape from their online counterparts (the target network is a copy
    of the online one), naming the tensors."""
    prefix = 'target_net.module.'
    bad = [f'{k}: found {tuple(v.shape)}, expected '
           f'{tuple(state_dict[k[len(prefix):]].shape)} (as '
           f'{k[len(prefix):]})' for k, v in state_dict.items()
           if k.startswith(prefix) and k[len(prefix):] in state_dict
           and tuple(v.shape) != tuple(state_dict[k[len(prefix):]].shape)]
    if bad:
        raise CheckpointError(
            f'{source}: {len(bad)} target tensor(s) do not fit the online '
            'network they copy: ' + '; '.join(bad[:5]) +
            (' ...' if len(bad) > 5 else ''))
