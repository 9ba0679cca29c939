from .backbone import (backbone_state_dict, is_backbone_state_dict,
                       read_backbone_file,
                       read_pretraining_checkpoint, to_detectron2)
from .official import (CheckpointFormatError, convert_official_state_dict,
                       describe, load_official_checkpoint)

__all__ = [
    'CheckpointFormatError', 'convert_official_state_dict',
    'load_official_checkpoint', 'describe', 'read_pretraining_checkpoint',
    'backbone_state_dict', 'to_detectron2', 'read_backbone_file',
    'is_backbone_state_dict'
]
