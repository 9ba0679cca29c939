"""Generated images, the project's embedded data (nothing is downloaded).

Labelled scenes (the main job, the transfer tests): textured objects of six
classes on textured backgrounds, and writers for an unlabeled folder and the
Cityscapes and VOC layouts. Unlabelled images (``random_shapes_image``,
``write_image_folder``; the loader, pipeline and training tests): random
rectangles and ellipses on a gradient.

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

``write_scene_datasets`` writes all three (an unlabeled folder, Cityscapes and
VOC layouts) into one folder and records its settings there.

Texture periods are for 128 px scenes and grow with the shorter side above
that. Backgrounds are clouds (smooth multi-scale noise), linear gradients,
grass (noise streaks along one axis) or tiles with grout lines, each with
random colours, scale and phase. Textures and shapes have random orientation.
"""
import colorsys
import json
import os
import os.path as osp
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw

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
                   size: Tuple[int, int] = (128, 128)) -> Scene:
    """A random :class:`Scene` of ``size`` (H, W), drawn from ``rng``: a
    textured background and 2 to 6 objects of random class, diameter 10% to
    50% of the shorter side, position, orientation and colours, painted in
    order (later objects occlude earlier ones)."""
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
        t = _TEXTURES[cls - 1](rng, a, b, r, unit)
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
          split: str = 'train') -> Scene:
    """The ``index``-th scene of ``split``'s stream (one of
    ``SPLIT_STREAMS``) for ``seed``: the same whatever else is generated."""
    if split not in SPLIT_STREAMS:
        raise ValueError(
            f'split {split!r} is not one of {list(SPLIT_STREAMS)}')
    seq = np.random.SeedSequence([seed, SPLIT_STREAMS[split], index])
    return generate_scene(np.random.default_rng(seq), size)


def write_unlabeled_folder(root: str,
                           num: int,
                           size: Tuple[int, int] = (128, 128),
                           seed: int = 0,
                           num_subfolders: int = 4) -> List[str]:
    """Write the first ``num`` scenes of the 'unlabeled' stream as JPEGs
    (quality 95) ``root/part_{k:02d}/scene_{i:06d}.jpg`` and return paths."""
    paths = []
    for i in range(num):
        folder = osp.join(root, f'part_{i % num_subfolders:02d}')
        os.makedirs(folder, exist_ok=True)
        path = osp.join(folder, f'scene_{i:06d}.jpg')
        Image.fromarray(scene(seed, i, size, 'unlabeled').image).save(
            path, quality=95)
        paths.append(path)
    return paths


def write_cityscapes_scenes(root: str,
                            splits: Dict[str, int] = dict(train=200, val=100),
                            size: Tuple[int, int] = (128, 128),
                            seed: int = 0) -> Dict[str, List[str]]:
    """Write scenes in mmseg's CityscapesDataset layout and return each
    split's image paths: ``leftImg8bit/{split}/scenes/scenes_{i:06d}_
    leftImg8bit.png`` (RGB) and ``gtFine/{split}/scenes/scenes_{i:06d}_
    gtFine_labelTrainIds.png`` (uint8 ``label``, 255 ignore)."""
    written = {}
    for split, num in splits.items():
        img_dir = osp.join(root, 'leftImg8bit', split, 'scenes')
        seg_dir = osp.join(root, 'gtFine', split, 'scenes')
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(seg_dir, exist_ok=True)
        written[split] = []
        for i in range(num):
            s = scene(seed, i, size, split)
            path = osp.join(img_dir, f'scenes_{i:06d}_leftImg8bit.png')
            Image.fromarray(s.image).save(path)
            Image.fromarray(s.label).save(
                osp.join(seg_dir, f'scenes_{i:06d}_gtFine_labelTrainIds.png'))
            written[split].append(path)
    return written


def _voc_xml(image_id, s):
    """VOC annotation of scene ``s``; boxes 1-based inclusive (x1 + 1 ..
    x2)."""
    ann = ET.Element('annotation')
    ET.SubElement(ann, 'filename').text = f'{image_id}.jpg'
    size = ET.SubElement(ann, 'size')
    for key, value in zip(('width', 'height', 'depth'),
                          (s.image.shape[1], s.image.shape[0], 3)):
        ET.SubElement(size, key).text = str(value)
    ET.SubElement(ann, 'segmented').text = '1'
    for inst in s.instances:
        obj = ET.SubElement(ann, 'object')
        ET.SubElement(obj, 'name').text = SCENE_CLASSES[inst.label]
        ET.SubElement(obj, 'difficult').text = '0'
        box = ET.SubElement(obj, 'bndbox')
        x1, y1, x2, y2 = inst.box
        for key, value in zip(('xmin', 'ymin', 'xmax', 'ymax'),
                              (x1 + 1, y1 + 1, x2, y2)):
            ET.SubElement(box, key).text = str(value)
    tree = ET.ElementTree(ann)
    ET.indent(tree)
    return tree


def write_voc_scenes(root: str,
                     splits: Dict[str, int] = dict(trainval=200, test=100),
                     size: Tuple[int, int] = (128, 128),
                     seed: int = 0,
                     year: str = 'VOC2007') -> Dict[str, List[str]]:
    """Write scenes in the VOC layout under ``root/year`` and return each
    split's image ids (``{split}_{i:06d}``): ``JPEGImages/{id}.jpg``,
    ``Annotations/{id}.xml``, ``SegmentationClass/{id}.png`` (palette PNG
    of class indices, 255 ignore) and the lists ``ImageSets/Main/{split}.txt``
    and ``ImageSets/Segmentation/{split}.txt``. Object names are
    ``OBJECT_CLASSES``: give mmdet's VOCDataset ``metainfo=VOC_METAINFO``."""
    base = osp.join(root, year)
    folders = ('JPEGImages', 'Annotations', 'SegmentationClass',
               'ImageSets/Main', 'ImageSets/Segmentation')
    for folder in folders:
        os.makedirs(osp.join(base, folder), exist_ok=True)
    palette = np.zeros((256, 3), np.uint8)
    palette[:len(SCENE_PALETTE)] = SCENE_PALETTE
    palette[IGNORE_INDEX] = (224, 224, 192)  # VOC's colour for 255
    written = {}
    for split, num in splits.items():
        ids = [f'{split}_{i:06d}' for i in range(num)]
        for i, image_id in enumerate(ids):
            s = scene(seed, i, size, split)
            Image.fromarray(s.image).save(
                osp.join(base, 'JPEGImages', f'{image_id}.jpg'), quality=95)
            _voc_xml(image_id, s).write(
                osp.join(base, 'Annotations', f'{image_id}.xml'))
            seg = Image.fromarray(s.label)
            seg.putpalette(palette.tobytes())  # 'L' becomes 'P'
            seg.save(osp.join(base, 'SegmentationClass', f'{image_id}.png'))
        for folder in folders[3:]:
            with open(osp.join(base, folder, f'{split}.txt'), 'w') as f:
                f.write(''.join(f'{image_id}\n' for image_id in ids))
        written[split] = ids
    return written


SCENES_MANIFEST = 'scenes.json'
SCENE_SUBFOLDERS = ('unlabeled', 'cityscapes', 'VOCdevkit')
#: The file :func:`write_scene_datasets` leaves in each folder it writes;
#: ``force`` deletes only folders that hold it.
SCENES_MARKER = '.mmpixpro_generated_scenes'


def _mark(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(osp.join(folder, SCENES_MARKER), 'w') as f:
        f.write('Written by mmpixpro.testing.write_scene_datasets '
                '(tools/misc/make_scenes.py); make_scenes.py --force may '
                'delete this folder.\n')


def _check_existing_set(root: str, settings: dict, force: bool) -> None:
    """Refuse to write into a folder that holds scenes of other settings
    (a mixed set would go unnoticed: files of the old, larger set would
    stay); with ``force``, delete the old set first. The settings of a set
    are in ROOT/scenes.json; a set without it counts as other settings.
    ``force`` deletes only folders holding :data:`SCENES_MARKER` (written
    by this generator): another folder of those names (a user's own
    ``unlabeled/`` photos, a real ``VOCdevkit/``) is refused by name and
    left untouched."""
    present = [d for d in SCENE_SUBFOLDERS if osp.isdir(osp.join(root, d))]
    if not present:
        return
    manifest = osp.join(root, SCENES_MANIFEST)
    old = None
    if osp.isfile(manifest):
        with open(manifest) as f:
            old = json.load(f)
    foreign = [osp.join(root, d) for d in present
               if not osp.isfile(osp.join(root, d, SCENES_MARKER))]
    if old == settings and not foreign:
        return  # the same set again: the same files
    if foreign:
        raise FileExistsError(
            f'{", ".join(foreign)} {"is" if len(foreign) == 1 else "are"} '
            'not a generated scene folder (no '
            f'{SCENES_MARKER} file, which the scene generator leaves in what '
            f'it writes): not writing into {root} and, even with --force '
            '(force=True), not deleting it. Choose another output folder, or '
            'move that folder away yourself')
    if not force:
        differ = ('no scenes.json records its settings' if old is None else
                  'settings differ: ' + ', '.join(
                      f'{k} {old.get(k)} -> {v}' for k, v in settings.items()
                      if old.get(k) != v))
        raise FileExistsError(
            f'{root} already holds a scene set ({", ".join(present)}) of '
            f'other settings ({differ}); pass --force (force=True) to delete '
            'it and write the new one, or choose another folder')
    for d in present:
        shutil.rmtree(osp.join(root, d))
    if osp.isfile(manifest):
        os.remove(manifest)


def write_scene_datasets(root: str,
                         num_unlabeled: int = 2000,
                         num_train: int = 300,
                         num_val: int = 100,
                         size: Tuple[int, int] = (128, 128),
                         seed: int = 0,
                         formats: Sequence[str] = ('cityscapes', 'voc'),
                         force: bool = False) -> Dict[str, object]:
    """Write a scene set into ``root``: ``unlabeled/`` (JPEGs, for
    UnlabeledImageFolder), and for each of ``formats`` ``cityscapes/``
    (leftImg8bit/, gtFine/ for mmseg's CityscapesDataset) and
    ``VOCdevkit/`` (VOC2007/ with 'trainval' = the train scenes and 'test' =
    the val scenes), and record the settings in ``root/scenes.json``.

    The same settings write the same files, so writing a set again is
    allowed. A folder that holds a set of other settings (or one without
    scenes.json) raises ``FileExistsError`` and is left untouched, unless
    ``force``, which deletes the old set first. Each folder written holds
    a :data:`SCENES_MARKER` file; ``force`` deletes only such folders, and a
    folder of these names without it (not written here) raises
    ``FileExistsError`` naming it, with or without ``force``.

    Returns what was written: ``unlabeled`` (image paths), and where
    written ``cityscapes`` ({split: image paths}) and ``voc`` ({split: image
    ids}).
    """
    unknown = set(formats) - {'cityscapes', 'voc'}
    if unknown:
        raise ValueError(f'unknown scene formats {sorted(unknown)}; '
                         "choose from 'cityscapes', 'voc'")
    size = tuple(size)
    settings = dict(num_unlabeled=num_unlabeled, num_train=num_train,
                    num_val=num_val, size=list(size), seed=seed,
                    formats=sorted(formats))
    _check_existing_set(root, settings, force)
    # The marker goes in before any image, so an interrupted write leaves a
    # folder that --force may replace.
    _mark(osp.join(root, 'unlabeled'))
    written = dict(unlabeled=write_unlabeled_folder(
        osp.join(root, 'unlabeled'), num_unlabeled, size, seed))
    if 'cityscapes' in formats:
        _mark(osp.join(root, 'cityscapes'))
        written['cityscapes'] = write_cityscapes_scenes(
            osp.join(root, 'cityscapes'),
            dict(train=num_train, val=num_val), size, seed)
    if 'voc' in formats:
        _mark(osp.join(root, 'VOCdevkit'))
        written['voc'] = write_voc_scenes(
            osp.join(root, 'VOCdevkit'),
            dict(trainval=num_train, test=num_val), size, seed)
    with open(osp.join(root, SCENES_MANIFEST), 'w') as f:
        json.dump(settings, f, indent=1)
    return written


# Unlabelled images: random rectangles and ellipses on a gradient (the
# loader, pipeline and training tests, where labels do not matter).


def random_shapes_image(rng: np.random.Generator, height: int,
                        width: int) -> np.ndarray:
    """A (height, width, 3) uint8 image: a smooth two-colour background with
    3 to 8 filled rectangles and ellipses of random colours and sizes."""
    c0, c1 = rng.integers(0, 256, (2, 3))
    t = np.linspace(0, 1, width)[None, :, None]
    if rng.random() < 0.5:
        t = np.linspace(0, 1, height)[:, None, None]
    bg = (1 - t) * c0 + t * c1
    img = Image.fromarray(
        np.broadcast_to(bg, (height, width, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(rng.integers(3, 9)):
        w = int(rng.integers(width // 8, width // 2 + 1))
        h = int(rng.integers(height // 8, height // 2 + 1))
        x, y = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
        shape((x, y, x + w, y + h), fill=colour)
    return np.asarray(img)


def write_image_folder(root: str,
                       num_images: int = 256,
                       size: Tuple[int, int] = (160, 200),
                       num_subfolders: int = 4,
                       seed: int = 0) -> List[str]:
    """Write ``num_images`` JPEG scenes of ``size`` (height, width) into
    ``num_subfolders`` sub-folders of ``root`` (an ImageNet-like layout) and
    return their paths. The same seed gives the same files."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(num_images):
        folder = osp.join(root, f'scenes_{i % num_subfolders:02d}')
        os.makedirs(folder, exist_ok=True)
        path = osp.join(folder, f'scene_{i:05d}.jpg')
        Image.fromarray(random_shapes_image(rng, *size)).save(
            path, quality=90)
        paths.append(path)
    return paths
