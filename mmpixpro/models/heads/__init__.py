from .instance_head import InstanceConsistencyHead
from .pixpro_head import PixProHead

__all__ = ['PixProHead', 'InstanceConsistencyHead']
