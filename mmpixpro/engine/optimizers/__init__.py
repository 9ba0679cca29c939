from .autocast_optim_wrapper import AutocastOptimWrapper
from .pixpro_lars import PixProLARS

__all__ = ['AutocastOptimWrapper', 'PixProLARS']
