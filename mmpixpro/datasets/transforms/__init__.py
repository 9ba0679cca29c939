from .crop_and_flip import RandomFlipWithCoord, RandomResizedCropWithCoord
from .loading import LoadRGBImageFromFile, to_rgb
from .photometric import PILGaussianBlur
from .two_views import TwoViewsWithCoord

__all__ = [
    'LoadRGBImageFromFile', 'to_rgb', 'RandomResizedCropWithCoord',
    'RandomFlipWithCoord', 'TwoViewsWithCoord', 'PILGaussianBlur'
]
