from .instance_head import InstanceConsistencyHead
from .pixcontrast_head import PixContrastHead
from .pixel_loss_head import PixelLossHead
from .pixpro_head import PixProHead

__all__ = [
    'PixProHead', 'InstanceConsistencyHead', 'PixContrastHead',
    'PixelLossHead'
]
