from .pixel_projector import PixelProjector
from .ppm import PPM

__all__ = ['PixelProjector', 'PPM']
