"""Pictures of PixPro's views, propagation weights, label maps and training
curves: numpy/torch in, (H, W, 3) uint8 RGB numpy arrays out."""
from .label_maps import colour_labels, draw_label_maps, label_palette
from .layout import panel_row, save_png
from .loss_curve import loss_keys, plot_loss_curves
from .propagation import draw_propagation, heat_colours
from .views import cell_centres, draw_views, positive_pairs

__all__ = [
    'save_png',
    'panel_row', 'draw_views', 'positive_pairs', 'cell_centres',
    'draw_propagation', 'heat_colours', 'draw_label_maps', 'label_palette',
    'colour_labels', 'plot_loss_curves', 'loss_keys'
]
