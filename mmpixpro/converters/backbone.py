"""Backbone weights out of a pre-training state dict, and which backbone a
backbone file holds.

Takes our pre-training state dicts (``backbone.*`` and
``target_net.module.backbone.*``; a released checkpoint converted by
:func:`convert_official_state_dict` has the same keys) and mmpretrain's BYOL
ones (``backbone.*`` and ``target_net.module.0.*``), and gives the
backbone's weights under the names of its mmpretrain module, which mmdet
and mmseg use too. A backbone file is recognised by its keys' prefixes
(:data:`FAMILIES`), whatever the backbone: ResNet, ConvNeXt, Swin or ViT.
The ResNet-only parts (shape check, detectron2 names) are in
:mod:`.resnet_layout`. Files are read by :mod:`.pretrained`.
"""
import re
from collections import OrderedDict
from typing import Dict, Optional

import torch

from .safe_load import CheckpointError

ONLINE, TARGET = 'backbone.', 'target_net.module.backbone.'
# mmpretrain's BYOL averages nn.Sequential(backbone, neck): its target
# backbone is the Sequential's first child.
BYOL_TARGET = 'target_net.module.0.'

# Backbone families by the keys of their mmpretrain modules (mmdet's and
# mmseg's ResNet and Swin use the same names): the family whose pattern
# some key matches. ResNet: torchvision's ``layer1.0.conv1.weight`` ...;
# ConvNeXt: ``downsample_layers.0.0.weight``, ``stages.0.0.*``; Swin:
# ``patch_embed.*``, ``stages.0.blocks.0.*``; ViT: ``patch_embed.*``,
# ``layers.0.*``. A pre-training checkpoint's ``backbone.layer1...`` does
# not match: the patterns start at the key's start.
FAMILIES = (
    ('ResNet', re.compile(r'layer[1-4]\.\d+\.')),
    ('ConvNeXt', re.compile(r'downsample_layers\.\d+\.')),
    ('SwinTransformer', re.compile(r'stages\.\d+\.blocks\.\d+\.')),
    ('VisionTransformer', re.compile(r'layers\.\d+\.')),
)
# For messages: what each family's keys look like.
FAMILY_KEYS = ('ResNet: conv1.weight, layer1.*; ConvNeXt: '
               'downsample_layers.*, stages.*; SwinTransformer: '
               'patch_embed.*, stages.N.blocks.*; VisionTransformer: '
               'patch_embed.*, layers.N.*')


def backbone_family(state_dict: Dict) -> Optional[str]:
    """The family (``'ResNet'``, ``'ConvNeXt'``, ``'SwinTransformer'``,
    ``'VisionTransformer'``) whose key pattern (:data:`FAMILIES`) a key of
    ``state_dict`` matches at its start, in that order; None for none."""
    keys = [str(k) for k in state_dict]
    for family, pattern in FAMILIES:
        if any(pattern.match(k) for k in keys):
            return family
    return None


def is_backbone_state_dict(state_dict: Dict) -> bool:
    """Whether a state dict holds bare backbone weights (keys of a
    :data:`FAMILIES` backbone, no ``backbone.`` prefix), as
    extract_backbone_weights.py writes them."""
    return backbone_family(state_dict) is not None


def strip_prefix(state_dict: Dict, prefix: str) -> 'OrderedDict':
    """The entries whose key starts with ``prefix``, with it removed."""
    return OrderedDict((k[len(prefix):], v) for k, v in state_dict.items()
                       if k.startswith(prefix))


def backbone_state_dict(
        state_dict: Dict,
        target: bool = False) -> 'OrderedDict[str, torch.Tensor]':
    """The online (or, with ``target``, the momentum) backbone's weights
    with the prefix stripped (the target of mmpretrain's BYOL too). Raises
    when the checkpoint holds none."""
    prefixes = (TARGET, BYOL_TARGET) if target else (ONLINE, )
    for prefix in prefixes:
        out = strip_prefix(state_dict, prefix)
        if out:
            return out
    found = sorted({k.split('.')[0] for k in state_dict})[:8]
    wanted = '" or "'.join(prefixes)
    # Online weights may also be a backbone file's; a target never is.
    bare = ('' if target else
            f', or ResNet weights: conv1.weight, layer1.* ... (backbone '
            f'files: {FAMILY_KEYS})')
    raise CheckpointError(
        f'no {"target" if target else "online"} backbone weights '
        f'(keys starting with "{wanted}"{bare}); top-level keys found: '
        f'{found}')
