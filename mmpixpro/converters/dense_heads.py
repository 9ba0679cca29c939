"""FPN and tower weights out of a head pre-training checkpoint, for mmdet.

A checkpoint of ``configs/pixpro/pixpro_r50-fpn*_8xb128.py`` holds the
online FPN at ``fpn.*`` (mmdet ``FPN`` keys) and the shared FCOS-style tower
at ``towers.convs.*`` (``ConvTower``), and the momentum copies at
``target_net.module.fpn.*`` / ``target_net.module.towers.*``. They become
the keys of an mmdet detector: ``neck.*`` for the FPN and, as the one
pre-trained tower stands for both of FCOS's towers, ``bbox_head.cls_convs.*``
and ``bbox_head.reg_convs.*`` (the same tensors under both names).
"""
from collections import OrderedDict
from typing import Dict

import torch

from .backbone import strip_prefix
from .safe_load import CheckpointError

TARGET = 'target_net.module.'
FPN, TOWERS = 'fpn.', 'towers.convs.'
# Detector keys: mmdet's ``neck`` and the towers of an ``AnchorFreeHead``.
NECK, HEAD_TOWERS = 'neck.', ('bbox_head.cls_convs.', 'bbox_head.reg_convs.')


def dense_head_state_dict(state_dict: Dict,
                          target: bool = False) -> 'OrderedDict':
    """The online (or, with ``target``, the momentum) FPN and towers under
    detector keys: ``neck.lateral_convs.0.conv.weight`` ... and, when the
    checkpoint has towers, ``bbox_head.cls_convs.0.conv.weight`` ... and
    ``bbox_head.reg_convs.0.conv.weight`` ... (both from the one tower).
    Raises when the checkpoint has no FPN."""
    root = TARGET if target else ''
    fpn = strip_prefix(state_dict, root + FPN)
    if not fpn:
        found = sorted({k.split('.')[0] for k in state_dict})[:8]
        raise CheckpointError(
            f'no {"target" if target else "online"} FPN (keys starting with '
            f'"{root + FPN}"): the checkpoint was pre-trained without one '
            '(configs/pixpro/pixpro_r50-fpn*_8xb128.py pre-train an FPN); '
            f'top-level keys found: {found}')
    out = OrderedDict((NECK + k, v) for k, v in fpn.items())
    towers = strip_prefix(state_dict, root + TOWERS)
    for prefix in HEAD_TOWERS:
        out.update((prefix + k, v) for k, v in towers.items())
    return out


def describe_dense_heads(weights: Dict[str, torch.Tensor]) -> str:
    """'FPN' or 'FPN + towers (cls_convs, reg_convs)', for messages."""
    if any(k.startswith(HEAD_TOWERS) for k in weights):
        return 'FPN + towers (as cls_convs and reg_convs)'
    return 'FPN'
