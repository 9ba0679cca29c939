from .conv_tower import ConvTower
from .pixel_projector import PixelProjector, PointwiseConv2d
from .ppm import PPM

__all__ = ['ConvTower', 'PixelProjector', 'PointwiseConv2d', 'PPM']
