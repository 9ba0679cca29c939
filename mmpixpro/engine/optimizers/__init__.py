from .pixpro_lars import PixProLARS

__all__ = ['PixProLARS']
