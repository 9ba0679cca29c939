"""One row of titled panels: the layout every picture of this package uses.

A row of panels of widths ``w_i`` and heights ``h_i`` is an image of width
``MARGIN + sum(w_i + MARGIN)`` and height
``MARGIN + TITLE_HEIGHT + max(h_i) + MARGIN``, white, with each title above
its panel; panel ``k`` has its top-left corner at
``(MARGIN + sum_{i<k}(w_i + MARGIN), MARGIN + TITLE_HEIGHT)``. Maps on a
coarse grid (labels, weights) are enlarged with ``resize_nearest``.
"""
import os
import os.path as osp
from typing import List, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw

MARGIN = 8
TITLE_HEIGHT = 20


def fit_text(draw: ImageDraw.ImageDraw, text: str, width: int) -> str:
    """``text``, shortened with '...' until it is at most ``width`` px wide."""
    if draw.textlength(text) <= width:
        return text
    while text and draw.textlength(text + '...') > width:
        text = text[:-1]
    return text + '...'


def panel_row(
    panels: Sequence[Tuple[str, np.ndarray]]
) -> Tuple[np.ndarray, List[Tuple[int, int]]]:
    """Lay ``(title, image)`` panels side by side, tops aligned.

    Args:
        panels: titles and (h, w, 3) uint8 RGB images.
    Returns:
        ``(canvas, offsets)``: the (H, W, 3) uint8 row and the ``(x, y)``
        top-left corner of each panel on it.
    """
    if not panels:
        raise ValueError('panel_row: need at least one panel')
    for title, img in panels:
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(f'panel_row: panel {title!r} must be an '
                             f'(h, w, 3) uint8 image, got {img.dtype} '
                             f'{img.shape}')
    width = MARGIN + sum(img.shape[1] + MARGIN for _, img in panels)
    height = MARGIN + TITLE_HEIGHT + max(img.shape[0]
                                         for _, img in panels) + MARGIN
    canvas = Image.new('RGB', (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    offsets, x = [], MARGIN
    for title, img in panels:
        y = MARGIN + TITLE_HEIGHT
        canvas.paste(Image.fromarray(img), (x, y))
        draw.text((x, MARGIN + 2),
                  fit_text(draw, title, img.shape[1]),
                  fill=(0, 0, 0))
        offsets.append((x, y))
        x += img.shape[1] + MARGIN
    return np.asarray(canvas).copy(), offsets


def resize_nearest(grid: np.ndarray, height: int, width: int) -> np.ndarray:
    """(h, w) map -> (height, width): each pixel takes the value of the cell
    under its centre (PIL's NEAREST), so cell ``c`` of ``w`` covers the
    pixels ``u`` with ``floor((u + 0.5) * w / width) == c``."""
    h, w = grid.shape
    rows = ((np.arange(height) + 0.5) * h / height).astype(np.int64)
    cols = ((np.arange(width) + 0.5) * w / width).astype(np.int64)
    return grid[np.minimum(rows, h - 1)[:, None],
                np.minimum(cols, w - 1)[None, :]]


def save_png(picture: np.ndarray, path: str) -> str:
    """Write an (H, W, 3) uint8 picture to ``path`` (folders created) and
    return the line the tools print about it."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    Image.fromarray(picture).save(path)
    return f'wrote {path} ({picture.shape[1]}x{picture.shape[0]})'
