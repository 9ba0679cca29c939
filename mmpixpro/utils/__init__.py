from .checkpoint_compat import patch_mmengine_checkpoint_loading
from .setup_env import register_all_modules

__all__ = ['register_all_modules', 'patch_mmengine_checkpoint_loading']
