from .pixpro_runner import PixProRunner, has_accelerator

__all__ = ['PixProRunner', 'has_accelerator']
