from .crop_and_flip import RandomFlipWithCoord, RandomResizedCropWithCoord
from .fast_loading import LoadRGBImageTurbo
from .loading import LoadRGBImageFromFile, to_rgb
from .photometric import PILGaussianBlur
from .photometric_params import DrawPhotometricParams
from .two_views import TwoViewsWithCoord

__all__ = [
    'LoadRGBImageFromFile', 'to_rgb', 'RandomResizedCropWithCoord',
    'RandomFlipWithCoord', 'TwoViewsWithCoord', 'PILGaussianBlur',
    'LoadRGBImageTurbo', 'DrawPhotometricParams'
]
