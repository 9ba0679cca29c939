from .pixcontrast import PixContrast
from .pixel_encoder import EncoderOutput, PixelEncoder
from .pixpro import PixPro

__all__ = ['PixPro', 'PixelEncoder', 'EncoderOutput', 'PixContrast']
