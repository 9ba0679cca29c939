"""Writers of generated scenes (:mod:`.generator`) to disk: an unlabeled
image folder (pre-training), mmseg's Cityscapes layout, the VOC layout, and
``write_scene_datasets``, which writes all three into one folder
(``tools/misc/make_scenes.py``) and records its settings there."""
import json
import os
import os.path as osp
import shutil
import xml.etree.ElementTree as ET
from typing import Dict, List, Sequence, Tuple

import numpy as np
from PIL import Image

from .generator import (IGNORE_INDEX, SCENE_CLASSES, SCENE_PALETTE,
                        check_texture_mode, scene)


def write_unlabeled_folder(root: str,
                           num: int,
                           size: Tuple[int, int] = (128, 128),
                           seed: int = 0,
                           num_subfolders: int = 4,
                           textures: str = 'per_class') -> List[str]:
    """Write the first ``num`` scenes of the 'unlabeled' stream as JPEGs
    (quality 95), ``root/part_{k:02d}/scene_{i:06d}.jpg``: an ImageNet-like
    folder of sub-folders for :class:`UnlabeledImageFolder`.

    Args:
        root (str): The folder to write into (created when missing).
        num (int): How many images.
        size (tuple[int, int]): (height, width) of each image.
            Defaults to (128, 128).
        seed (int): The scene set's seed; the same seed writes the same
            files. Defaults to 0.
        num_subfolders (int): Image ``i`` goes to sub-folder
            ``i % num_subfolders``. Defaults to 4.
        textures (str): How objects are textured, one of
            ``TEXTURE_MODES`` (see :func:`generate_scene`).
            Defaults to 'per_class'.

    Returns:
        list[str]: The paths written, in order.
    """
    check_texture_mode(textures)
    paths = []
    for i in range(num):
        folder = osp.join(root, f'part_{i % num_subfolders:02d}')
        os.makedirs(folder, exist_ok=True)
        path = osp.join(folder, f'scene_{i:06d}.jpg')
        image = scene(seed, i, size, 'unlabeled', textures).image
        Image.fromarray(image).save(path, quality=95)
        paths.append(path)
    return paths


def write_cityscapes_scenes(root: str,
                            splits: Dict[str, int] = dict(train=200, val=100),
                            size: Tuple[int, int] = (128, 128),
                            seed: int = 0,
                            textures: str = 'per_class'
                            ) -> Dict[str, List[str]]:
    """Write scenes in mmseg's CityscapesDataset layout and return each
    split's image paths: ``leftImg8bit/{split}/scenes/scenes_{i:06d}_
    leftImg8bit.png`` (RGB) and ``gtFine/{split}/scenes/scenes_{i:06d}_
    gtFine_labelTrainIds.png`` (uint8 ``label``, 255 ignore). ``textures``
    is :func:`generate_scene`'s."""
    check_texture_mode(textures)
    written = {}
    for split, num in splits.items():
        img_dir = osp.join(root, 'leftImg8bit', split, 'scenes')
        seg_dir = osp.join(root, 'gtFine', split, 'scenes')
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(seg_dir, exist_ok=True)
        written[split] = []
        for i in range(num):
            s = scene(seed, i, size, split, textures)
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
                     year: str = 'VOC2007',
                     textures: str = 'per_class') -> Dict[str, List[str]]:
    """Write scenes in the VOC layout under ``root/year`` and return each
    split's image ids (``{split}_{i:06d}``): ``JPEGImages/{id}.jpg``,
    ``Annotations/{id}.xml``, ``SegmentationClass/{id}.png`` (palette PNG
    of class indices, 255 ignore) and the lists ``ImageSets/Main/{split}.txt``
    and ``ImageSets/Segmentation/{split}.txt``. Object names are
    ``OBJECT_CLASSES``: give mmdet's VOCDataset ``metainfo=VOC_METAINFO``.
    ``textures`` is :func:`generate_scene`'s."""
    check_texture_mode(textures)
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
            s = scene(seed, i, size, split, textures)
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
# Settings scenes.json records only when they differ from these defaults
# (sets written before the setting existed stay valid).
OPTIONAL_SETTINGS = dict(textures='per_class')
SCENE_SUBFOLDERS = ('unlabeled', 'cityscapes', 'VOCdevkit')
#: The file :func:`write_scene_datasets` leaves in each folder it writes;
#: ``force`` deletes only folders that hold it.
SCENES_MARKER = '.mmpixpro_generated_scenes'


def _mark(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    with open(osp.join(folder, SCENES_MARKER), 'w') as f:
        f.write('Written by mmpixpro.datasets.generated_scenes'
                '.write_scene_datasets (tools/misc/make_scenes.py); '
                'make_scenes.py --force may delete this folder.\n')


def scene_set_changes(old: dict,
                      new: dict) -> List[Tuple[str, object, object]]:
    """``(key, old value, new value)`` of every setting in which two
    scenes.json records differ, ``new``'s keys first; a setting a record
    leaves out counts as its default (:data:`OPTIONAL_SETTINGS`). Empty
    when they are the same set."""
    def value(settings, key):
        return settings.get(key, OPTIONAL_SETTINGS.get(key))

    keys = [*new, *(k for k in old if k not in new)]
    return [(k, value(old, k), value(new, k)) for k in keys
            if value(old, k) != value(new, k)]


def scene_set_settings(num_unlabeled: int = 2000,
                       num_train: int = 300,
                       num_val: int = 100,
                       size: Tuple[int, int] = (128, 128),
                       seed: int = 0,
                       formats: Sequence[str] = ('cityscapes', 'voc'),
                       textures: str = 'per_class') -> dict:
    """What ``scenes.json`` records of a scene set written by
    :func:`write_scene_datasets` with these arguments (the same defaults):
    a set is the same set exactly when these are equal."""
    check_texture_mode(textures)
    settings = dict(num_unlabeled=num_unlabeled, num_train=num_train,
                    num_val=num_val, size=list(size), seed=seed,
                    formats=sorted(formats))
    if textures != OPTIONAL_SETTINGS['textures']:
        settings['textures'] = textures
    return settings


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
    if old is not None and not scene_set_changes(old, settings) \
            and not foreign:
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
                      f'{k} {then} -> {now}' for k, then, now in
                      scene_set_changes(old, settings)))
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
                         force: bool = False,
                         textures: str = 'per_class') -> Dict[str, object]:
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
    ``textures`` is :func:`generate_scene`'s; a set of other ``textures``
    is a set of other settings (scenes.json records it when it is not
    'per_class', so sets written before it existed stay valid).

    Returns what was written: ``unlabeled`` (image paths), and where
    written ``cityscapes`` ({split: image paths}) and ``voc`` ({split: image
    ids}).
    """
    unknown = set(formats) - {'cityscapes', 'voc'}
    if unknown:
        raise ValueError(f'unknown scene formats {sorted(unknown)}; '
                         "choose from 'cityscapes', 'voc'")
    size = tuple(size)
    settings = scene_set_settings(num_unlabeled, num_train, num_val, size,
                                  seed, formats, textures)
    _check_existing_set(root, settings, force)
    # The marker goes in before any image, so an interrupted write leaves a
    # folder that --force may replace.
    _mark(osp.join(root, 'unlabeled'))
    written = dict(unlabeled=write_unlabeled_folder(
        osp.join(root, 'unlabeled'), num_unlabeled, size, seed,
        textures=textures))
    if 'cityscapes' in formats:
        _mark(osp.join(root, 'cityscapes'))
        written['cityscapes'] = write_cityscapes_scenes(
            osp.join(root, 'cityscapes'),
            dict(train=num_train, val=num_val), size, seed, textures)
    if 'voc' in formats:
        _mark(osp.join(root, 'VOCdevkit'))
        written['voc'] = write_voc_scenes(
            osp.join(root, 'VOCdevkit'),
            dict(trainval=num_train, test=num_val), size, seed,
            textures=textures)
    with open(osp.join(root, SCENES_MANIFEST), 'w') as f:
        json.dump(settings, f, indent=1)
    return written
