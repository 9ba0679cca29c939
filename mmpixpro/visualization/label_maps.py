"""Segmentation label maps next to their image, in a fixed palette."""
import colorsys
from typing import Sequence, Tuple

import numpy as np

from .layout import panel_row, resize_nearest


def label_palette(num_classes: int) -> np.ndarray:
    """(num_classes, 3) uint8 RGB colours, class k -> row k.

    Hues step by the golden ratio, so neighbouring classes differ; brightness
    stays >= 0.75, so no class is black (black is for ``ignore_index``). The
    same ``k`` gets the same colour whatever ``num_classes`` is.
    """
    colours = []
    for k in range(num_classes):
        hue = (k * 0.618033988749895) % 1.0
        sat = 0.85 if k % 2 == 0 else 0.6
        val = 0.95 if (k // 2) % 2 == 0 else 0.75
        colours.append(colorsys.hsv_to_rgb(hue, sat, val))
    return np.round(np.array(colours).reshape(-1, 3) * 255).astype(np.uint8)


def colour_labels(label_map: np.ndarray,
                  num_classes: int,
                  ignore_index: int = 255) -> np.ndarray:
    """(h, w) int labels -> (h, w, 3) uint8: class k in ``label_palette``
    colour k, ``ignore_index`` black. Other values raise ``ValueError``."""
    label_map = np.asarray(label_map)
    if label_map.ndim != 2 or not np.issubdtype(label_map.dtype, np.integer):
        raise ValueError('colour_labels: expected an (h, w) integer label '
                         f'map, got {label_map.dtype} {label_map.shape}')
    ignore = label_map == ignore_index
    bad = ~ignore & ((label_map < 0) | (label_map >= num_classes))
    if bad.any():
        raise ValueError(f'colour_labels: labels must be in [0, {num_classes})'
                         f' or {ignore_index} (ignore); found '
                         f'{np.unique(label_map[bad])[:10].tolist()}')
    palette = np.concatenate(
        [label_palette(num_classes),
         np.zeros((1, 3), np.uint8)])
    return palette[np.where(ignore, num_classes, label_map)]


def draw_label_maps(image: np.ndarray,
                    label_maps: Sequence[Tuple[str, np.ndarray]],
                    num_classes: int,
                    ignore_index: int = 255) -> np.ndarray:
    """The image, then each ``(title, (h, w) label map)`` resized (nearest)
    to the image's (H, W) and coloured by ``colour_labels``.

    Args:
        image: (H, W, 3) uint8 RGB.
    Returns:
        one (H + 36, 8 + (1 + n) * (W + 8), 3) uint8 RGB row of titled panels
        (``layout.panel_row``), the image titled 'image'.
    """
    height, width = image.shape[:2]
    panels = [('image', image)]
    for title, label_map in label_maps:
        label_map = resize_nearest(np.asarray(label_map), height, width)
        panels.append(
            (title, colour_labels(label_map, num_classes, ignore_index)))
    return panel_row(panels)[0]
