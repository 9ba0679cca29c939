"""Heat maps of the PPM propagation weights ``s(x_i, x_j)`` of one pixel."""
import math
from typing import Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw

from .layout import panel_row, resize_nearest

HEAT_ALPHA = 0.5
HEAT_COLORMAP = 'jet'
MARK_COLOUR = (255, 255, 255)


def heat_colours() -> np.ndarray:
    """(256, 3) uint8 colours of weight levels 0 .. 255 (jet: blue 0, red 1)."""
    from matplotlib import colormaps
    lut = colormaps[HEAT_COLORMAP](np.linspace(0, 1, 256))[:, :3]
    return np.round(lut * 255).astype(np.uint8)


def overlay_heat(image: np.ndarray,
                 weights: np.ndarray,
                 alpha: float = HEAT_ALPHA) -> np.ndarray:
    """Blend the colours of (h, w) weights in [0, 1], each cell filling its
    pixels (``resize_nearest``), over an (H, W, 3) uint8 image:
    ``round((1 - alpha) * image + alpha * heat_colours()[round(255 * s)])``."""
    heat = resize_nearest(np.clip(weights, 0, 1), *image.shape[:2])
    colours = heat_colours()[np.round(heat * 255).astype(np.int64)]
    out = (1 - alpha) * image.astype(np.float64) + alpha * colours
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def cell_span(index: int, cells: int, pixels: int) -> Tuple[int, int]:
    """First and last pixel that ``resize_nearest`` gives to cell ``index``."""
    first = math.ceil(index * pixels / cells - 0.5)
    return first, math.ceil((index + 1) * pixels / cells - 0.5) - 1


def draw_propagation(image: np.ndarray,
                     weight_maps: Sequence[Tuple[Tuple[int, int], np.ndarray]],
                     alpha: float = HEAT_ALPHA) -> np.ndarray:
    """One panel per chosen feature pixel: its propagation weights over the
    view, with the pixel's cell outlined.

    Args:
        image: (H, W, 3) uint8 view the weights were computed on.
        weight_maps: ``((y, x), weights)`` per chosen pixel: ``weights`` is
            its (h, w) row of ``PPM.similarity``, values in [0, 1] (colour
            scale fixed: level ``round(255 * s)`` of ``heat_colours``).
    Returns:
        (H + 36, 8 + n * (W + 8), 3) uint8 RGB row of titled panels
        (``layout.panel_row``).
    """
    height, width = image.shape[:2]
    panels = []
    for (y, x), weights in weight_maps:
        h, w = np.shape(weights)
        panel = Image.fromarray(overlay_heat(image, np.asarray(weights),
                                             alpha))
        (left, right), (top,
                        bottom) = cell_span(x, w,
                                            width), cell_span(y, h, height)
        ImageDraw.Draw(panel).rectangle((left, top, right, bottom),
                                        outline=MARK_COLOUR,
                                        width=2)
        panels.append((f'pixel (y={y}, x={x}) of {h}x{w}', np.asarray(panel)))
    return panel_row(panels)[0]
