"""Two views, their crop boxes and their positive cell pairs.

Boxes follow ``mmpixpro.models.utils.box_geometry``: ``(x1, y1, x2, y2)``
normalised by ``W_img - 1`` and ``H_img - 1`` through the first and last
pixel column/row of the crop; a flipped view has ``x1 > x2``. Point ``p``
of a view of width ``W`` (pixel ``u`` covers ``[u, u + 1)``) sits at
``x1 + p / W * (x2 - x1)`` in the image.

:func:`draw_views_figure` draws them for a config's training pipeline run
on one image (what tools/analysis/show_views.py writes).
"""
import math
import random
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import DefaultScope
from PIL import Image, ImageDraw

from mmpixpro.models.utils.box_geometry import positive_pair_mask
from .layout import panel_row, save_png

VIEW_COLOURS = ((255, 64, 48), (32, 144, 255))
PAIR_COLOUR = (255, 224, 0, 150)
GRID_COLOUR = (255, 255, 255, 70)

Grid = Tuple[int, int]


def cell_centres(grid: Grid, view_size: Tuple[int, int]) -> np.ndarray:
    """(h*w, 2) ``(x, y)`` centres of the cells of an ``h x w`` grid laid over
    a view of ``(height, width)`` pixels, row-major, in view pixels."""
    (h, w), (height, width) = grid, view_size
    ys, xs = np.meshgrid((np.arange(h) + 0.5) * height / h,
                         (np.arange(w) + 0.5) * width / w,
                         indexing='ij')
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def positive_pairs(boxes: np.ndarray, grids: Tuple[Grid, Grid],
                   threshold: float) -> np.ndarray:
    """(P, 2) cell indices ``(i, j)`` (row-major) of view 1 and view 2 that
    ``positive_pair_mask`` makes positive; ``boxes`` is (2, 4)."""
    boxes = torch.as_tensor(np.asarray(boxes, np.float32))
    mask = positive_pair_mask(boxes[0:1], boxes[1:2], grids[0], grids[1],
                              threshold)[0]
    return mask.nonzero().numpy()


def box_on_image(box: np.ndarray, height: int, width: int,
                 scale: float) -> Tuple[float, float, float, float]:
    """Outer edges ``(left, top, right, bottom)`` of a crop box on an image
    of ``(height, width)`` pixels drawn ``scale`` times larger."""
    x1, y1, x2, y2 = (float(v) for v in box)
    cols = sorted((x1 * (width - 1), x2 * (width - 1)))
    rows = sorted((y1 * (height - 1), y2 * (height - 1)))
    return (cols[0] * scale, rows[0] * scale, (cols[1] + 1) * scale,
            (rows[1] + 1) * scale)


def draw_grid(view: np.ndarray, grid: Grid) -> np.ndarray:
    """The view with the cell borders of ``grid`` drawn lightly."""
    img = Image.fromarray(view).convert('RGBA')
    layer = Image.new('RGBA', img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    (h, w), (width, height) = grid, img.size
    for c in range(1, w):
        x = round(c * width / w)
        draw.line([(x, 0), (x, height - 1)], fill=GRID_COLOUR)
    for r in range(1, h):
        y = round(r * height / h)
        draw.line([(0, y), (width - 1, y)], fill=GRID_COLOUR)
    return np.asarray(Image.alpha_composite(img, layer).convert('RGB'))


def draw_views(source: np.ndarray, views: Sequence[np.ndarray],
               boxes: np.ndarray, grids: Tuple[Grid, Grid],
               pairs: np.ndarray) -> np.ndarray:
    """Source image with both crop boxes, then the two views with their
    grids and a line joining the centres of each positive pair.

    Args:
        source: (H, W, 3) uint8 image the views were cut from; shown scaled
            to the height of view 1 (width ``round(W * h1 / H)``).
        views: two (h_k, w_k, 3) uint8 views.
        boxes: (2, 4) crop boxes of the views.
        grids: ``(h, w)`` feature grid of each view.
        pairs: (P, 2) cell indices, as ``positive_pairs`` gives them.
    Returns:
        (H', W', 3) uint8 RGB row of three titled panels
        (``layout.panel_row``). The corner of each box where its view's
        top-left pixel came from is marked with a dot.
    """
    boxes = np.asarray(boxes, np.float64)
    height, width = source.shape[:2]
    scale = views[0].shape[0] / height
    shown = Image.fromarray(source).resize(
        (round(width * scale), views[0].shape[0]), Image.BILINEAR)
    draw = ImageDraw.Draw(shown)
    for box, colour in zip(boxes, VIEW_COLOURS):
        left, top, right, bottom = box_on_image(box, height, width, scale)
        draw.rectangle((left, top, right - 1, bottom - 1),
                       outline=colour,
                       width=2)
        cx = left if box[0] <= box[2] else right - 1
        draw.ellipse((cx - 4, top - 4, cx + 4, top + 4), fill=colour)

    panels = [(f'source {width}x{height}', np.asarray(shown))]
    for k, (view, box, grid) in enumerate(zip(views, boxes, grids)):
        flipped = ', flipped' if box[0] > box[2] else ''
        panels.append((f'view {k + 1} ({grid[0]}x{grid[1]} cells{flipped})',
                       draw_grid(view, grid)))
    canvas, offsets = panel_row(panels)

    img = Image.fromarray(canvas).convert('RGBA')
    layer = Image.new('RGBA', img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for k, colour in enumerate(VIEW_COLOURS):
        (x0, y0), (h, w) = offsets[k + 1], views[k].shape[:2]
        draw.rectangle((x0 - 3, y0 - 3, x0 + w + 2, y0 + h + 2),
                       outline=colour + (255, ),
                       width=2)
    ends = []
    for k in range(2):
        # PIL puts pixel u's centre at u; view coordinates put it at u + 0.5.
        ends.append(
            cell_centres(grids[k], views[k].shape[:2]) +
            np.array(offsets[k + 1]) - 0.5)
    for i, j in pairs:
        (xa, ya), (xb, yb) = ends[0][i], ends[1][j]
        draw.line([(xa, ya), (xb, yb)], fill=PAIR_COLOUR, width=1)
        for x, y in ((xa, ya), (xb, yb)):
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=PAIR_COLOUR)
    return np.asarray(Image.alpha_composite(img, layer).convert('RGB'))


# ----------------------------------------------------- from a config


def output_stride(backbone: dict) -> int:
    """Stride of a ResNet-style backbone's last output: 4 for the stem, times
    the strides of the stages up to the last of ``out_indices``."""
    strides = backbone.get('strides', (1, 2, 2, 2))
    last = max(backbone.get('out_indices', (3, )))
    return 4 * math.prod(strides[:last + 1])


def two_views(cfg: Config, image: str,
              seed: int) -> Tuple[np.ndarray, List[np.ndarray], np.ndarray]:
    """``(source, views, boxes)``: the decoded (H, W, 3) image, the two views
    as (h, w, 3) uint8 arrays and their (2, 4) crop boxes, from the
    config's training pipeline up to its ``TwoViewsWithCoord`` step run on
    ``image`` with Python's, numpy's and torch's generators seeded."""
    from mmpixpro.registry import TRANSFORMS
    pipeline = cfg.train_dataloader.dataset.pipeline
    types = [str(step['type']).split('.')[-1] for step in pipeline]
    if 'TwoViewsWithCoord' not in types:
        raise ValueError('the training pipeline has no TwoViewsWithCoord '
                         f'step (steps: {types})')
    index = types.index('TwoViewsWithCoord')
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    results = dict(img_path=image)
    for step in pipeline[:index]:
        results = TRANSFORMS.build(step)(results)
    source = np.array(results['img'])
    results = TRANSFORMS.build(pipeline[index])(results)
    views = [np.array(v) for v in results['img']]
    if 'photometric' in results:  # fast path: its device ops, here on CPU
        from mmpixpro.models.data_preprocessors import apply_photometric
        views = [
            apply_photometric(
                torch.from_numpy(v).permute(2, 0, 1)[None].float(),
                results['photometric'][i:i + 1])[0].permute(
                    1, 2, 0).byte().numpy() for i, v in enumerate(views)
        ]
    return source, views, np.asarray(results['coord'], np.float32)


def draw_views_figure(config: Union[str, Config],
                      image_path: str,
                      out: str,
                      seed: int = 0,
                      grid: Optional[Grid] = None,
                      logger=None) -> str:
    """Draw the two views of ``image_path`` that the config's training
    pipeline cuts under ``seed`` (:func:`two_views`), their boxes and the
    positive pairs of the head's ``pos_threshold`` (default 0.7) on
    ``grid`` (default: the view size over the backbone's output stride),
    and write the picture to ``out`` (PNG); return ``out``.

    Each view's box and grid, the pair count and the written file are
    reported to ``logger`` (mmengine's ``print_log``: None prints them).
    """
    from mmpixpro.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmpixpro')):
        source, views, boxes = two_views(cfg, image_path, seed)
    if grid:
        grids = (tuple(grid), ) * 2
    else:
        stride = output_stride(cfg.model.backbone)
        grids = tuple(
            (math.ceil(v.shape[0] / stride), math.ceil(v.shape[1] / stride))
            for v in views)
    threshold = cfg.model.head.get('pos_threshold', 0.7)
    pairs = positive_pairs(boxes, grids, threshold)
    picture = draw_views(source, views, boxes, grids, pairs)

    for k, box in enumerate(boxes):
        flipped = ', flipped' if box[0] > box[2] else ''
        print_log(
            f'view {k + 1}: box (x1, y1, x2, y2) = '
            f'({", ".join(repr(float(v)) for v in box)}), grid '
            f'{grids[k][0]}x{grids[k][1]}{flipped}', logger)
    print_log(f'pos_threshold {threshold}: {len(pairs)} positive pairs',
              logger)
    print_log(save_png(picture, out), logger)
    return out
