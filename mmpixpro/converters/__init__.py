"""Checkpoint reading, writing and conversion: one reading API
(:mod:`.pretrained`) on the safe reader (:mod:`.checkpoint_io`), the
layouts' key maps, and the COCO subsets."""
from .backbone import (backbone_family, backbone_state_dict,
                       is_backbone_state_dict)
from .backbone_file import extract_backbone
from .checkpoint_io import (CheckpointError, CheckpointFormatError,
                            load_checkpoint_file)
from .official import convert_official_state_dict
from .resnet_layout import check_resnet_shapes, to_detectron2
from .pretrained import (BACKBONE, KINDS, PRETRAINING, RELEASED,
                         PretrainedCheckpoint, describe,
                         read_backbone_weights, read_pretrained)

__all__ = [
    'CheckpointError', 'CheckpointFormatError', 'load_checkpoint_file',
    'KINDS', 'PRETRAINING', 'RELEASED', 'BACKBONE', 'PretrainedCheckpoint',
    'read_pretrained', 'read_backbone_weights', 'describe',
    'convert_official_state_dict', 'backbone_state_dict', 'backbone_family',
    'is_backbone_state_dict', 'check_resnet_shapes', 'to_detectron2',
    'extract_backbone'
]
