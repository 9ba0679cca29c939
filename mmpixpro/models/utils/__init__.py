from .box_geometry import (PairGeometry, feature_cell_centres, pair_geometry,
                           positive_pair_mask)
from .chunking import check_chunk_size, map_row_blocks
from .momentum import CosineMomentumEMA

__all__ = [
    'positive_pair_mask', 'feature_cell_centres', 'pair_geometry',
    'PairGeometry', 'check_chunk_size', 'map_row_blocks', 'CosineMomentumEMA'
]
