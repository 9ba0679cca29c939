"""Pictures of PixPro's views, propagation weights, label maps and training
curves: numpy/torch in, (H, W, 3) uint8 RGB numpy arrays out; the
``*_figure`` functions and :func:`draw_loss_curves` make them from configs,
checkpoints, images and work dirs and write PNG files."""
from .label_maps import colour_labels, draw_label_maps, label_palette
from .layout import panel_row, save_png
from .loss_curve import draw_loss_curves, loss_keys, plot_loss_curves
from .propagation import (draw_propagation, draw_propagation_figure,
                          heat_colours)
from .views import (cell_centres, draw_views, draw_views_figure,
                    positive_pairs)

__all__ = [
    'save_png',
    'panel_row', 'draw_views', 'positive_pairs', 'cell_centres',
    'draw_propagation', 'heat_colours', 'draw_label_maps', 'label_palette',
    'colour_labels', 'plot_loss_curves', 'loss_keys', 'draw_views_figure',
    'draw_propagation_figure', 'draw_loss_curves'
]
