from .official import (CheckpointFormatError, convert_official_state_dict,
                       describe, load_official_checkpoint)

__all__ = [
    'CheckpointFormatError', 'convert_official_state_dict',
    'load_official_checkpoint', 'describe'
]
