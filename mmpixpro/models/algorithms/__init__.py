from .pixcontrast import PixContrast
from .pixpro import EncoderOutput, PixelEncoder, PixPro

__all__ = ['PixPro', 'PixelEncoder', 'EncoderOutput', 'PixContrast']
