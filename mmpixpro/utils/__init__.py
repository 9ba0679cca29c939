from .autograd_memory import saved_tensor_bytes
from .checkpoint_compat import patch_mmengine_checkpoint_loading
from .config_walk import iter_config_dicts, syncbn_to_bn
from .mmcv_compat import keep_adjust_hue_working
from .mmpretrain_compat import keep_mmpretrain_importable
from .quiet import quiet_mmengine
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'patch_mmengine_checkpoint_loading',
    'keep_mmpretrain_importable', 'saved_tensor_bytes', 'iter_config_dicts',
    'quiet_mmengine', 'syncbn_to_bn', 'keep_adjust_hue_working'
]
