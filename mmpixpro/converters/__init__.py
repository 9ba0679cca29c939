"""Checkpoint reading and conversion: one reading API (:mod:`.pretrained`)
on the safe reader (:mod:`.safe_load`), the tools' shared command-line
options (:mod:`.command_line`), the layouts' key maps, and the COCO
subsets. Files are written atomically by :mod:`mmpixpro.utils.atomic_write`."""
from .backbone import (backbone_family, backbone_state_dict,
                       is_backbone_state_dict)
from .backbone_file import extract_backbone
from .official import convert_official_state_dict
from .pretrained import (BACKBONE, KINDS, PRETRAINING, RELEASED,
                         PretrainedCheckpoint, describe,
                         read_backbone_weights, read_pretrained)
from .resnet_layout import check_resnet_shapes, to_detectron2
from .safe_load import CheckpointError, load_checkpoint_file, unsafe_load

__all__ = [
    'CheckpointError', 'load_checkpoint_file', 'unsafe_load', 'KINDS',
    'PRETRAINING', 'RELEASED', 'BACKBONE', 'PretrainedCheckpoint',
    'read_pretrained', 'read_backbone_weights', 'describe',
    'convert_official_state_dict', 'backbone_state_dict', 'backbone_family',
    'is_backbone_state_dict', 'check_resnet_shapes', 'to_detectron2',
    'extract_backbone'
]
