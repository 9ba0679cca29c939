"""Heat maps of the PPM propagation weights ``s(x_i, x_j)`` of one pixel.

:func:`draw_propagation_figure` draws them for a config's model, from a
checkpoint or its seeded initialisation, on one image (what
tools/analysis/show_propagation.py writes).
"""
import math
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import DefaultScope
from PIL import Image, ImageDraw

from mmpixpro.converters import PRETRAINING, RELEASED, read_pretrained
from mmpixpro.utils import iter_config_dicts, quiet_mmengine
from .layout import panel_row, resize_nearest, save_png

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


# ----------------------------------------------------- from a config


def crop_size(cfg: Config) -> Tuple[int, int]:
    """``(h, w)`` of the first ``RandomResizedCropWithCoord`` in the training
    pipeline (224 if there is none)."""
    size = next((node.get('size', 224) for _, node in iter_config_dicts(
        cfg.train_dataloader.dataset.pipeline) if str(node.get(
            'type', '')).endswith('RandomResizedCropWithCoord')), None)
    size = size or 224
    return (size, size) if isinstance(size, int) else tuple(size)


def load_model(cfg: Config, checkpoint: str, seed: int = 0) -> torch.nn.Module:
    """The config's model in eval mode, from ``checkpoint`` (a pre-training
    or released checkpoint, loaded strictly) or, for ``'random'``, from its
    initialisation under ``seed``. SyncBN becomes BN."""
    from mmpixpro.registry import MODELS
    torch.manual_seed(seed)
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    if checkpoint == 'random':
        with quiet_mmengine():  # init_weights logs every parameter
            model.init_weights()
    else:
        weights = read_pretrained(checkpoint,
                                  (PRETRAINING, RELEASED)).model_weights()
        model.load_state_dict(weights, strict=True)
    return model.eval()


@torch.no_grad()
def propagation_weights(model: torch.nn.Module,
                        view: np.ndarray) -> torch.Tensor:
    """(h, w, h, w) weights: ``[y, x]`` is pixel (y, x)'s row of
    ``PPM.similarity`` on the online projection of ``view`` ((H, W, 3) uint8
    RGB, normalised by the model's data preprocessor)."""
    img = torch.from_numpy(view.copy()).permute(2, 0, 1)[None]
    inputs = model.data_preprocessor(dict(inputs=img,
                                          data_samples=None))['inputs']
    # The first (plain PixPro: the only) level's map, (1, C, h, w).
    projection = model.online_encoder()(inputs).pixels[0]
    h, w = projection.shape[-2:]
    return model.head.predictor.similarity(projection)[0].view(h, w, h, w)


def default_pixels(h: int, w: int) -> List[Tuple[int, int]]:
    """The centre and the four quarter points of an h x w grid."""
    points = [(h // 2, w // 2), (h // 4, w // 4), (h // 4, (3 * w) // 4),
              ((3 * h) // 4, w // 4), ((3 * h) // 4, (3 * w) // 4)]
    return list(dict.fromkeys(points))


def draw_propagation_figure(config: Union[str, Config],
                            checkpoint: str,
                            image_path: str,
                            out: str,
                            pixels: Optional[Sequence[Tuple[int,
                                                            int]]] = None,
                            size: Optional[int] = None,
                            seed: int = 0,
                            logger=None) -> str:
    """Draw the propagation weights of feature ``pixels`` ``(y, x)``
    (default: :func:`default_pixels`) of the config's model loaded from
    ``checkpoint`` (see :func:`load_model`) on ``image_path`` resized to
    ``size`` x ``size`` (default: :func:`crop_size`), and write the picture
    to ``out`` (PNG); return ``out``.

    Each pixel's own, mean and highest other weight and the written file
    are reported to ``logger`` (mmengine's ``print_log``: None prints
    them). Raises ``ValueError`` for a pixel outside the feature map
    (nothing written), :class:`CheckpointError` for a checkpoint of another
    kind and ``RuntimeError`` for one that does not fit the model.
    """
    from mmpixpro.datasets import LoadRGBImageFromFile
    from mmpixpro.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    size = (size, size) if size else crop_size(cfg)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmpixpro')):
        model = load_model(cfg, checkpoint, seed)
    img = LoadRGBImageFromFile()(dict(img_path=image_path))['img']
    view = np.array(img.resize((size[1], size[0]), Image.BILINEAR))
    weights = propagation_weights(model, view)
    h, w = weights.shape[:2]
    pixels = pixels or default_pixels(h, w)
    for y, x in pixels:
        if not (0 <= y < h and 0 <= x < w):
            raise ValueError(
                f'pixel {y},{x} is outside the {h}x{w} feature map')

    maps = [((y, x), weights[y, x].numpy()) for y, x in pixels]
    picture = draw_propagation(view, maps)
    for (y, x), row in maps:
        others = row.copy()
        others[y, x] = -1
        oy, ox = np.unravel_index(others.argmax(), others.shape)
        print_log(
            f'pixel ({y}, {x}): self {row[y, x]:.3f}, mean '
            f'{row.mean():.3f}, highest other {row[oy, ox]:.3f} at '
            f'({oy}, {ox})', logger)
    print_log(save_png(picture, out), logger)
    return out
