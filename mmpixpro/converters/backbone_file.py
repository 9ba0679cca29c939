"""Writing a backbone file: the pre-trained backbone (and, with head
pre-training, the FPN and towers) for mmpretrain, mmdet and mmseg.

The file is ``{'meta': ..., 'state_dict': ...}`` with the backbone's keys
as its module names them (ResNet: torchvision's ``conv1.weight``,
``layer4.2.bn3.running_var`` ...; ConvNeXt, Swin, ViT: mmpretrain's), for
``init_cfg=dict(type='Pretrained', checkpoint=FILE)`` on the same backbone
(for a ResNet also on mmdet's C4 res5 shared head, whose ``layer4.*`` keys
match). ``meta`` holds ``source`` (the input's file name), ``source_kind``
(``'mmpixpro'`` or ``'released'``), ``encoder`` (``'online'`` or
``'target'``) and, with the dense heads, ``parts``; the backbone's
family is what :func:`backbone_family` finds in its keys. The dense heads go
under detector keys (``neck.*``, ``bbox_head.cls_convs.*``,
``bbox_head.reg_convs.*``: see :mod:`.dense_heads`) beside the unprefixed
ResNet keys.
"""
import logging
import os.path as osp
from typing import Optional, Union

from mmengine.logging import print_log

from mmpixpro.utils.atomic_write import atomic_torch_save
from .backbone import FAMILY_KEYS, backbone_family
from .command_line import check_output
from .dense_heads import dense_head_state_dict, describe_dense_heads
from .pretrained import PRETRAINING, RELEASED, read_pretrained
from .resnet_layout import check_resnet_shapes
from .safe_load import CheckpointError

__all__ = ['extract_backbone']


def extract_backbone(src: str,
                     dst: str,
                     target: bool = False,
                     force: bool = False,
                     unsafe: bool = False,
                     with_neck: bool = False,
                     logger: Optional[Union[logging.Logger, str]] = None
                     ) -> str:
    """Write the online (or, with ``target``, the momentum) backbone of the
    pre-training checkpoint ``src`` (ours, mmpretrain's BYOL or a released
    one) to the backbone file ``dst``, atomically; return ``dst``.

    ``with_neck`` adds the pre-trained FPN and towers (checkpoints of
    ``configs/pixpro/pixpro_r50-fpn*_8xb128.py``; refused for others).
    ``force`` replaces an existing ``dst``; ``unsafe`` reads ``src`` with
    the full unpickler. The line saying what was written goes to
    ``logger`` (mmengine's ``print_log``: None prints it, ``'silent'``
    drops it).

    The backbone is recognised by its keys (:func:`backbone_family`:
    ResNet, ConvNeXt, Swin, ViT); a ResNet's tensor shapes are checked
    against the architecture its keys describe.

    Raises :class:`CheckpointError` (nothing written) for an output that
    is the input or exists without ``force``, an input of another kind, no
    such weights, weights of no known backbone or tensors that do not fit
    a ResNet; ``FileNotFoundError``
    for a missing input; ``OSError`` when writing fails (the previous
    ``dst``, if any, is left as it was).
    """
    check_output(src, dst, force)
    checkpoint = read_pretrained(src, (PRETRAINING, RELEASED), unsafe)
    weights = checkpoint.backbone_weights(target)
    family = backbone_family(weights)
    if family is None:
        raise CheckpointError(
            f'{src}: the backbone weights (keys like {list(weights)[:3]}) '
            f'are of no known backbone ({FAMILY_KEYS}); nothing written')
    if family == 'ResNet':
        check_resnet_shapes(weights, src)
    encoder = 'target' if target else 'online'
    meta = dict(source=osp.basename(src), source_kind=checkpoint.source_name,
                encoder=encoder)
    parts = family
    if with_neck:
        dense_heads = dense_head_state_dict(checkpoint.model_weights(),
                                            target=target)
        parts = f'{family} + {describe_dense_heads(dense_heads)}'
        weights.update(dense_heads)
        meta['parts'] = parts
    atomic_torch_save(dict(meta=meta, state_dict=weights), dst)
    print_log(
        f'wrote {len(weights)} tensors of the {encoder} {parts} (from '
        f'{checkpoint.source_words}) to {dst}', logger)
    return dst
