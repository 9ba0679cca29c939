from .pixpro import PixelEncoder, PixPro

__all__ = ['PixPro', 'PixelEncoder']
