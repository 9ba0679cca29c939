from .pixel_consistency_loss import PixelConsistencyLoss
from .pixel_contrast_loss import PixelContrastLoss
from .pixel_pair_loss import PixelPairLoss

__all__ = ['PixelPairLoss', 'PixelConsistencyLoss', 'PixelContrastLoss']
