from .cpu_route import has_accelerator
from .pixpro_runner import PixProRunner

__all__ = ['PixProRunner', 'has_accelerator']
