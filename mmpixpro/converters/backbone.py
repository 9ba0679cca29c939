"""Backbone weights out of a pre-training checkpoint, for downstream use.

Reads our checkpoints (mmengine: ``state_dict`` with ``backbone.*`` and
``target_net.module.backbone.*``), mmpretrain's BYOL ones (``backbone.*`` and
``target_net.module.0.*``) and the authors' released ones
(``model`` with ``module.encoder.*``), and gives the ResNet weights under
the names mmpretrain, mmdet and mmseg's ``ResNet`` use (torchvision's:
``conv1``, ``bn1``, ``layer1.0.conv1`` ...), or detectron2's.
"""
import pickle
import re
from collections import OrderedDict
from typing import Dict, Tuple

import torch

from .official import (CheckpointFormatError, convert_official_state_dict,
                       describe)

ONLINE, TARGET = 'backbone.', 'target_net.module.backbone.'
# mmpretrain's BYOL averages nn.Sequential(backbone, neck): its target ResNet
# is the Sequential's first child.
BYOL_TARGET = 'target_net.module.0.'


def read_pretraining_checkpoint(path: str) -> Tuple[Dict, str]:
    """Our state dict from either kind of pre-training checkpoint.

    Returns ``(state_dict, kind)`` with kind ``'mmpixpro'`` or
    ``'released'``. mmengine checkpoints pickle more than tensors (message
    hub, numpy scalars), so this uses the full unpickler: read only files
    you trust.
    """
    try:
        obj = torch.load(path, map_location='cpu', weights_only=False)
    except FileNotFoundError:
        raise
    except Exception as e:
        raise CheckpointFormatError(
            f'{path}: expected a PixPro pre-training checkpoint; found '
            f'{describe_unreadable(path, e)}') from None
    if isinstance(obj, dict) and isinstance(obj.get('state_dict'), dict):
        return obj['state_dict'], 'mmpixpro'
    if isinstance(obj, dict) and isinstance(obj.get('model'), dict):
        return convert_official_state_dict(obj['model'])[0], 'released'
    raise CheckpointFormatError(
        f'{path}: expected a PixPro pre-training checkpoint (ours, with a '
        "'state_dict', or a released one, with a 'model'); found "
        f'{describe(obj)}')


def describe_unreadable(path: str, error: Exception) -> str:
    """What a file torch cannot load is, for error messages."""
    try:
        with open(path, 'rb') as f:
            obj = pickle.load(f)
        if isinstance(obj, dict) and any(
                str(k).startswith(('stem.', 'res2.'))
                for k in obj.get('model', {})):
            return 'a detectron2 weights file (.pkl)'
    except Exception:
        pass
    return f'a file torch cannot read ({type(error).__name__}: {error})'


def is_backbone_state_dict(state_dict: Dict) -> bool:
    """Whether a state dict holds bare ResNet weights (``conv1.weight``,
    ``layer1.*`` ...), as extract_backbone_weights.py writes them."""
    return 'conv1.weight' in state_dict and any(
        k.startswith('layer') for k in state_dict)


def holds_encoder(state_dict: Dict, kind: str) -> bool:
    """Whether what :func:`read_pretraining_checkpoint` returned is a whole
    pre-training model (``backbone.*`` ...) rather than bare ResNet weights."""
    return kind == 'released' or any(k.startswith(ONLINE) for k in state_dict)


def read_backbone_file(path: str) -> Dict[str, torch.Tensor]:
    """The state dict of a backbone file written by
    extract_backbone_weights.py (ResNet keys such as ``conv1.weight``);
    other checkpoints are refused with what they are and what to do."""
    state_dict, kind = read_pretraining_checkpoint(path)
    if holds_encoder(state_dict, kind):
        raise CheckpointFormatError(
            f'{path} is a pre-training checkpoint; expected backbone weights: '
            'run tools/model_converters/extract_backbone_weights.py on it '
            'first')
    if not is_backbone_state_dict(state_dict):
        raise CheckpointFormatError(
            f'{path}: expected ResNet backbone weights (conv1.weight, '
            f'layer1.* ...); found keys like {list(state_dict)[:4]}')
    return state_dict


def strip_prefix(state_dict: Dict, prefix: str) -> 'OrderedDict':
    """The entries whose key starts with ``prefix``, with it removed."""
    return OrderedDict((k[len(prefix):], v) for k, v in state_dict.items()
                       if k.startswith(prefix))


def backbone_state_dict(state_dict: Dict,
                        target: bool = False) -> 'OrderedDict[str, torch.Tensor]':
    """The online (or, with ``target``, the momentum) ResNet's weights with
    the prefix stripped (the target of mmpretrain's BYOL too). Raises when
    the checkpoint holds none."""
    prefixes = (TARGET, BYOL_TARGET) if target else (ONLINE, )
    for prefix in prefixes:
        out = strip_prefix(state_dict, prefix)
        if out:
            return out
    found = sorted({k.split('.')[0] for k in state_dict})[:8]
    wanted = '" or "'.join(prefixes)
    raise CheckpointFormatError(
        f'no {"target" if target else "online"} backbone weights '
        f'(keys starting with "{wanted}"); top-level keys found: {found}')


_D2_RULES = (
    (re.compile(r'^layer(\d)\.'), lambda m: f'res{int(m.group(1)) + 1}.'),
    (re.compile(r'\.bn(\d)\.'), lambda m: f'.conv{m.group(1)}.norm.'),
    (re.compile(r'\.downsample\.0\.'), lambda m: '.shortcut.'),
    (re.compile(r'\.downsample\.1\.'), lambda m: '.shortcut.norm.'),
)


def to_detectron2(backbone: Dict[str, torch.Tensor]) -> 'OrderedDict':
    """torchvision-named ResNet weights -> detectron2 names, as numpy.

    ``conv1``/``bn1`` -> ``stem.conv1(.norm)``, ``layerN`` -> ``res{N+1}``,
    ``bnK`` -> ``convK.norm``, ``downsample.0/1`` -> ``shortcut(.norm)``;
    ``num_batches_tracked`` is dropped (detectron2 has no such buffer).
    """
    out = OrderedDict()
    for key, value in backbone.items():
        if key.endswith('num_batches_tracked'):
            continue
        if key.startswith('bn1.'):
            new = 'stem.conv1.norm.' + key[len('bn1.'):]
        elif key == 'conv1.weight':
            new = 'stem.conv1.weight'
        elif key.startswith('layer'):
            new = key
            for pattern, repl in _D2_RULES:
                new = pattern.sub(repl, new)
        else:
            raise CheckpointFormatError(
                f'backbone key "{key}" has no detectron2 ResNet counterpart')
        out[new] = value.detach().cpu().numpy()
    return out
