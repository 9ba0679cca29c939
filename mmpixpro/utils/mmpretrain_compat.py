"""Keep ``mmpretrain.models`` importable next to transformers >= 5.

mmpretrain 1.2.0 turns on its multi-modal models (BLIP, CLIP, ...) whenever
``transformers >= 4.28`` is installed; their modules subclass
``transformers.modeling_utils.PreTrainedModel`` and import helpers that
transformers 5 removed, so ``import mmpretrain.models`` fails with
``TypeError: NoneType takes no arguments`` and nothing of mmpretrain (ResNet,
BYOL, LARS) can be built. PixPro needs none of those models: when
transformers 5 or newer is installed and ``mmpretrain.models`` is not yet
imported, we switch mmpretrain's multi-modal flag off, which registers its
placeholders instead (building one then says which dependency is missing).
"""
import sys
from importlib import metadata

from mmengine.utils import digit_version


def installed_transformers_version():
    """The installed transformers version string, or None (not imported)."""
    try:
        return metadata.version('transformers')
    except metadata.PackageNotFoundError:
        return None


def keep_mmpretrain_importable() -> bool:
    """Switch mmpretrain's multi-modal models off where they cannot import.

    Returns whether it did. Must run before ``mmpretrain.models`` is
    imported; importing ``mmpixpro`` does it first.
    """
    version = installed_transformers_version()
    if version is None or digit_version(version) < digit_version('5.0.0'):
        return False
    if 'mmpretrain.models' in sys.modules:
        return False
    import mmpretrain.utils.dependency as dependency
    dependency.WITH_MULTIMODAL = False
    return True
