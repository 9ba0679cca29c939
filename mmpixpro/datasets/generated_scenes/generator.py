"""The scene generator: labelled scenes of textured objects, the data of the
main job and of the tests (nothing is downloaded).

Each object class has its own shape and its own texture statistics; colours
are drawn per instance from one distribution shared by all classes (and the
backgrounds), so colour alone does not give the class:

=========  ========  ======================================================
class      shape     texture
=========  ========  ======================================================
disc       disc      smooth sphere shading with an off-centre highlight
square     square    checkerboard, cell 3-4.5 px
triangle   triangle  fine sine stripes, period 3-4.5 px
ring       ring      dots on a plain ground, period 6-9 px
bar        bar       coarse square-wave stripes, period 9-14 px
cross      cross     per-pixel uniform noise (grain)
=========  ========  ======================================================

Texture periods are for 128 px scenes and grow with the shorter side above
that. With ``textures='random'`` (:data:`TEXTURE_MODES`) each object draws
one of the six textures whatever its class, so only the shape gives the
class; the default, ``'per_class'``, is the table above, and its scenes are
those this generator has always drawn.

Backgrounds are clouds (smooth multi-scale noise), linear gradients, grass
(noise streaks along one axis) or tiles with grout lines, each with random
colours, scale and phase. Textures and shapes have random orientation. The
writers of the folder layouts are in :mod:`.writers`.
"""
import colorsys
from dataclasses import dataclass, field
from typing import List, NamedTuple, Tuple

import numpy as np
from PIL import Image

SCENE_CLASSES = ('background', 'disc', 'square', 'triangle', 'ring', 'bar',
                 'cross')
OBJECT_CLASSES = SCENE_CLASSES[1:]
IGNORE_INDEX = 255
SCENE_PALETTE = [(0, 0, 0), (220, 20, 60), (0, 130, 200), (60, 180, 75),
                 (255, 225, 25), (145, 30, 180), (245, 130, 48)]
# Class names for mmseg and mmdet datasets, whose defaults are Cityscapes'
# and VOC's: mmseg's CityscapesDataset lists our files but refuses other class
# names, so give SEG_METAINFO to a BaseSegDataset with Cityscapes' suffixes
# (img_suffix='_leftImg8bit.png', seg_map_suffix='_gtFine_labelTrainIds.png');
# give VOC_METAINFO to mmdet's VOCDataset.
SEG_METAINFO = dict(classes=SCENE_CLASSES, palette=SCENE_PALETTE)
VOC_METAINFO = dict(classes=OBJECT_CLASSES, palette=SCENE_PALETTE[1:])

NUM_OBJECTS = (2, 6)  # per scene, inclusive
SCALE_RANGE = (0.1, 0.5)  # object diameter / shorter side, uniform in area
MIN_AREA = 24  # visible pixels (at 128 px) below which an object is ignored
# Scenes are drawn from three independent streams; 'trainval' and 'test'
# (VOC's split names) are the 'train' and 'val' streams.
SPLIT_STREAMS = dict(unlabeled=0, train=1, trainval=1, val=2, test=2)
# How an object's texture is chosen: its class's own ('per_class', the
# table above), or one of the six drawn per object ('random').
TEXTURE_MODES = ('per_class', 'random')


def check_texture_mode(textures: str) -> None:
    """Raise ``ValueError`` unless ``textures`` is one of
    :data:`TEXTURE_MODES`."""
    if textures not in TEXTURE_MODES:
        raise ValueError(f'textures={textures!r} is not one of '
                         f'{list(TEXTURE_MODES)}')


class Instance(NamedTuple):
    """One visible object: class index in 1..6, box (x1, y1, x2, y2) tight
    around ``mask`` in pixel-corner convention (x2 = last column + 1), and
    ``mask`` (H, W) bool of its visible pixels."""
    label: int
    box: Tuple[int, int, int, int]
    mask: np.ndarray


@dataclass
class Scene:
    """``image`` (H, W, 3) uint8 RGB; ``label`` (H, W) uint8 class of each
    visible pixel (0 background, 1..6 objects, 255 ignore: the visible rest of
    an object smaller than ``MIN_AREA``, which is not in ``instances``);
    ``instances`` in painting order (later ones occlude earlier ones), with
    disjoint masks whose union, with their classes, is ``label``'s objects."""
    image: np.ndarray
    label: np.ndarray
    instances: List[Instance] = field(default_factory=list)


# Shapes: (u, v) are pixel offsets from the centre in the shape's rotated
# frame, r the radius; each returns a bool mask.
def _disc(u, v, r):
    return u * u + v * v <= r * r


def _square(u, v, r):
    return np.maximum(abs(u), abs(v)) <= 0.7 * r


def _triangle(u, v, r):  # equilateral, circumradius r
    inside = v <= 0.5 * r
    for angle in (np.pi / 6, 5 * np.pi / 6):
        inside &= u * np.cos(angle) - v * np.sin(angle) <= 0.5 * r
    return inside


def _ring(u, v, r):
    d2 = u * u + v * v
    return (d2 <= r * r) & (d2 >= 0.25 * r * r)


def _bar(u, v, r):
    return (abs(u) <= r) & (abs(v) <= 0.35 * r)


def _cross(u, v, r):
    au, av = abs(u), abs(v)
    return ((au <= r) & (av <= 0.3 * r)) | ((av <= r) & (au <= 0.3 * r))


# Textures: (a, b) are offsets in the texture's rotated frame; each returns
# t in [0, 1] mixing the instance's two colours.
def _shading(rng, a, b, r, unit):
    la = rng.uniform(0.2, 0.5) * r  # highlight offset along a
    d2 = ((a - la)**2 + b * b) / (1.6 * r)**2
    return np.clip(1 - d2, 0, 1)


def _checker(rng, a, b, r, unit):
    cell = rng.uniform(3, 4.5) * unit
    a, b = a + rng.uniform(0, cell), b + rng.uniform(0, cell)
    return ((np.floor(a / cell) + np.floor(b / cell)) % 2).astype(np.float32)


def _fine_stripes(rng, a, b, r, unit):
    period = rng.uniform(3, 4.5) * unit
    return 0.5 + 0.5 * np.sin(2 * np.pi * a / period + rng.uniform(0, 6.3))


def _dots(rng, a, b, r, unit):
    period = rng.uniform(6, 9) * unit
    fa = (a / period + rng.random()) % 1 - 0.5
    fb = (b / period + rng.random()) % 1 - 0.5
    return (fa * fa + fb * fb <= 0.09).astype(np.float32)


def _coarse_stripes(rng, a, b, r, unit):
    period = rng.uniform(9, 14) * unit
    return ((a / period + rng.random()) % 1 < 0.5).astype(np.float32)


def _grain(rng, a, b, r, unit):
    return rng.random(a.shape, dtype=np.float32)


_SHAPES = (_disc, _square, _triangle, _ring, _bar, _cross)
_TEXTURES = (_shading, _checker, _fine_stripes, _dots, _coarse_stripes, _grain)


def _upsampled_noise(rng, grid, size):
    """Uniform noise on a (gh, gw) grid, bilinearly resized to size (h, w)."""
    noise = rng.random(grid, dtype=np.float32)
    img = Image.fromarray(noise).resize(size[::-1], Image.BILINEAR)
    return np.asarray(img)


def _normalised(t):
    return (t - t.min()) / max(float(t.max() - t.min()), 1e-6)


def _background(rng, h, w, unit):
    """t (h, w) in [0, 1] of one of four randomised background textures."""
    n = int(rng.integers(3, 7))
    clouds = (_upsampled_noise(rng, (n, n), (h, w)) +
              0.4 * _upsampled_noise(rng, (3 * n, 3 * n), (h, w)))
    kind = rng.integers(4)
    if kind == 0:  # clouds
        return _normalised(clouds)
    if kind == 1:  # linear gradient
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = rng.uniform(0, 2 * np.pi)
        ramp = xx * np.cos(angle) + yy * np.sin(angle)
        return _normalised(_normalised(ramp) + 0.25 * clouds)
    if kind == 2:  # grass: fine across, long along one axis
        blade = int(rng.integers(6, 13))
        grass = _upsampled_noise(rng, (max(h // blade, 2), max(w // 2, 2)),
                                 (h, w))
        if rng.random() < 0.5:
            grass = _upsampled_noise(rng, (max(h // 2, 2), max(w // blade, 2)),
                                     (h, w))
        return _normalised(grass + 0.6 * clouds)
    tile = rng.uniform(14, 28) * unit  # tiles with grout lines
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = yy / tile + rng.random(), xx / tile + rng.random()
    values = rng.random((int(h / tile) + 3, int(w / tile) + 3))
    tiles = values[yy.astype(int), xx.astype(int)]
    grout = ((yy % 1) * tile < 1.5 * unit) | ((xx % 1) * tile < 1.5 * unit)
    return _normalised(np.where(grout, -0.3, tiles) + 0.3 * clouds)


def _colour_pair(rng, contrast):
    """Two RGB colours (2, 3) float32 of close hue whose HSV values differ by
    ``contrast`` (a (low, high) range)."""
    h, s, v = rng.random(), rng.uniform(0.15, 0.9), rng.uniform(0.15, 0.95)
    dv = rng.uniform(*contrast)
    v2 = v + dv if v + dv <= 1 or v - dv < 0 else v - dv
    h2, s2 = (h + rng.uniform(-0.08, 0.08)) % 1, s * rng.uniform(0.6, 1.2)
    pair = [colorsys.hsv_to_rgb(h, s, v),
            colorsys.hsv_to_rgb(h2, min(s2, 1), min(v2, 1))]
    return 255 * np.array(pair, np.float32)


def _rotate(dx, dy, angle):
    c, s = np.cos(angle), np.sin(angle)
    return dx * c + dy * s, dy * c - dx * s


def generate_scene(rng: np.random.Generator,
                   size: Tuple[int, int] = (128, 128),
                   textures: str = 'per_class') -> Scene:
    """A random :class:`Scene` drawn from ``rng``: a textured background
    and 2 to 6 objects of random class, diameter 10% to 50% of the shorter
    side, position, orientation and colours, painted in order (later
    objects occlude earlier ones).

    Args:
        rng (numpy.random.Generator): The source of every draw.
        size (tuple[int, int]): (height, width). Defaults to (128, 128).
        textures (str): 'per_class': each class its own texture;
            'random': each object one of the six, drawn independently of
            its class. Defaults to 'per_class'.
    """
    check_texture_mode(textures)
    h, w = size
    unit = max(1.0, min(h, w) / 128)
    colours = _colour_pair(rng, (0.15, 0.45))
    t = _background(rng, h, w, unit)[..., None]
    image = colours[0] + t * (colours[1] - colours[0])  # float (h, w, 3)
    owner = np.full((h, w), -1, np.int8)  # which object painted each pixel
    classes = []
    for k in range(rng.integers(NUM_OBJECTS[0], NUM_OBJECTS[1] + 1)):
        cls = int(rng.integers(1, len(SCENE_CLASSES)))
        lo, hi = SCALE_RANGE
        r = 0.5 * np.sqrt(rng.uniform(lo * lo, hi * hi)) * min(h, w)
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        e = 1.1 * r  # every shape lies within 1.06 r of its centre
        y0, x0 = max(int(cy - e) - 1, 0), max(int(cx - e) - 1, 0)
        y1, x1 = min(int(cy + e) + 2, h), min(int(cx + e) + 2, w)
        dy, dx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dy, dx = dy - cy, dx - cx
        u, v = _rotate(dx, dy, rng.uniform(0, 2 * np.pi))  # shape frame
        a, b = _rotate(dx, dy, rng.uniform(0, 2 * np.pi))  # texture frame
        mask = _SHAPES[cls - 1](u, v, r)
        texture = (cls - 1 if textures == 'per_class' else int(
            rng.integers(len(_TEXTURES))))
        t = _TEXTURES[texture](rng, a, b, r, unit)
        c0, c1 = _colour_pair(rng, (0.25, 0.55))
        image[y0:y1, x0:x1][mask] = (c0 + t[..., None] * (c1 - c0))[mask]
        owner[y0:y1, x0:x1][mask] = k
        classes.append(cls)

    label = np.zeros((h, w), np.uint8)
    instances = []
    for k, cls in enumerate(classes):
        visible = owner == k
        area = int(visible.sum())
        if area < MIN_AREA * unit**2:
            label[visible] = IGNORE_INDEX
            continue
        label[visible] = cls
        cols = np.flatnonzero(visible.any(0))
        rows = np.flatnonzero(visible.any(1))
        box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1,
               int(rows[-1]) + 1)
        instances.append(Instance(cls, box, visible))
    image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    return Scene(image, label, instances)


def scene(seed: int,
          index: int,
          size: Tuple[int, int] = (128, 128),
          split: str = 'train',
          textures: str = 'per_class') -> Scene:
    """The ``index``-th scene of ``split``'s stream (one of
    ``SPLIT_STREAMS``) for ``seed``: the same whatever else is generated.
    ``textures`` is :func:`generate_scene`'s."""
    if split not in SPLIT_STREAMS:
        raise ValueError(
            f'split {split!r} is not one of {list(SPLIT_STREAMS)}')
    seq = np.random.SeedSequence([seed, SPLIT_STREAMS[split], index])
    return generate_scene(np.random.default_rng(seq), size, textures)

