from .box_geometry import feature_cell_centres, positive_pair_mask
from .momentum import CosineMomentumEMA

__all__ = ['positive_pair_mask', 'feature_cell_centres', 'CosineMomentumEMA']
