from .pixel_consistency_loss import PixelConsistencyLoss
from .pixel_contrast_loss import PixelContrastLoss

__all__ = ['PixelConsistencyLoss', 'PixelContrastLoss']
