from .conv_tower import ConvTower
from .pixel_projector import PixelProjector
from .ppm import PPM

__all__ = ['ConvTower', 'PixelProjector', 'PPM']
