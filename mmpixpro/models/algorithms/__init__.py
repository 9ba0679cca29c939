from .pixcontrast import PixContrast
from .pixpro import PixelEncoder, PixPro

__all__ = ['PixPro', 'PixelEncoder', 'PixContrast']
