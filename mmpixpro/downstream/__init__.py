"""Pieces the downstream (mmdet, mmseg) configs import with
``custom_imports=dict(imports=['mmpixpro.downstream'])``. The C4 box head's
res5 with an extra norm is mmpretrain's ``ResLayerExtraNorm`` (imported with
``mmpretrain.models``), whose new layer is ``norm``."""
import mmpixpro  # noqa: F401  (torch >= 2.6 checkpoint loading for mmengine)
from .weight_check import (PretrainedWeightsCheckHook,
                           build_downstream_model, check_config_weights,
                           check_pretrained_weights, compare_module,
                           pretrained_modules, set_pretrained)

__all__ = [
    'build_downstream_model', 'check_config_weights',
    'check_pretrained_weights', 'compare_module', 'pretrained_modules',
    'PretrainedWeightsCheckHook', 'set_pretrained'
]
