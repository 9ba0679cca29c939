"""PixPro pre-training for the OpenMMLab stack."""
from .utils import (keep_adjust_hue_working, keep_mmpretrain_importable,
                    patch_mmengine_checkpoint_loading)
from .version import __version__

# mmengine 0.10 + torch >= 2.6: resume and Pretrained init need this; see
# mmpixpro/utils/checkpoint_compat.py.
patch_mmengine_checkpoint_loading()
# mmpretrain 1.2 + transformers >= 5: see mmpixpro/utils/mmpretrain_compat.py.
keep_mmpretrain_importable()
# mmcv 2.1 + numpy 2: negative hue jitter; see mmpixpro/utils/mmcv_compat.py.
keep_adjust_hue_working()

__all__ = ['__version__']
