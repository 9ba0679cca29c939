"""Segmentation splits for the dense probe, read and resized to one size.

Images are resized bilinearly, labels nearest. Labels are class indices
(Cityscapes train ids, VOC palette indices); :data:`IGNORE_INDEX` (255)
marks pixels without a class.
"""
import glob
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from PIL import Image

IGNORE_INDEX = 255
FORMATS = ('cityscapes', 'voc')


@dataclass
class DenseData:
    """One split, resized to one size: ``images`` (N, 3, H, W) uint8 RGB,
    ``labels`` (N, H, W) uint8 class indices (255 = ignore), ``names`` the N
    image paths."""
    images: torch.Tensor
    labels: torch.Tensor
    names: List[str]

    def __len__(self) -> int:
        return len(self.names)


def read_split(root: str, fmt: str, split: str) -> List[Tuple[str, str]]:
    """Sorted ``(image_path, label_path)`` pairs of a split.

    ``cityscapes``: ``root/leftImg8bit/{split}/*/*_leftImg8bit.png`` with
    ``root/gtFine/{split}/*/*_gtFine_labelTrainIds.png``. ``voc``: ``root`` is
    a ``VOCdevkit/VOC2012`` folder; ids from
    ``ImageSets/Segmentation/{split}.txt``, ``JPEGImages/{id}.jpg`` with
    ``SegmentationClass/{id}.png`` (palette indices).
    """
    if fmt == 'cityscapes':
        pattern = osp.join(root, 'leftImg8bit', split, '*',
                           '*_leftImg8bit.png')
        images = sorted(glob.glob(pattern))
        if not images:
            raise FileNotFoundError(f'no Cityscapes images {pattern}')
        labels = [
            osp.join(root, 'gtFine', split, osp.basename(osp.dirname(img)),
                     osp.basename(img).replace('_leftImg8bit.png',
                                               '_gtFine_labelTrainIds.png'))
            for img in images
        ]
        pairs = list(zip(images, labels))
    elif fmt == 'voc':
        list_file = osp.join(root, 'ImageSets', 'Segmentation', split + '.txt')
        if not osp.isfile(list_file):
            raise FileNotFoundError(
                f'no {list_file}; the VOC root is the VOCdevkit/VOC2012 (or '
                'VOC2007) folder')
        with open(list_file) as f:
            ids = sorted(line.split()[0] for line in f if line.strip())
        if not ids:
            raise FileNotFoundError(f'{list_file} lists no images')
        pairs = [(osp.join(root, 'JPEGImages', i + '.jpg'),
                  osp.join(root, 'SegmentationClass', i + '.png'))
                 for i in ids]
    else:
        raise ValueError(f'unknown format {fmt!r}; expected one of {FORMATS}')
    missing = [p for pair in pairs for p in pair if not osp.isfile(p)]
    if missing:
        raise FileNotFoundError(
            f'{fmt} split {split!r} under {root}: {len(missing)} missing '
            f'files, e.g. {missing[:2]}')
    return pairs


def load_pairs(pairs: Sequence[Tuple[str, str]],
               img_size: Union[int, Tuple[int, int]]) -> DenseData:
    """Read and resize image/label pairs; ``img_size`` is S or (H, W)."""
    h, w = (img_size, img_size) if isinstance(img_size, int) else img_size
    images = np.empty((len(pairs), h, w, 3), np.uint8)
    labels = np.empty((len(pairs), h, w), np.uint8)
    for n, (img_path, label_path) in enumerate(pairs):
        with Image.open(img_path) as img:
            images[n] = img.convert('RGB').resize((w, h), Image.BILINEAR)
        with Image.open(label_path) as label:
            if label.mode not in ('L', 'P'):
                raise ValueError(
                    f'{label_path}: expected a one-channel label map of class '
                    f'indices (mode L or P), found mode {label.mode}')
            labels[n] = label.resize((w, h), Image.NEAREST)
    return DenseData(
        torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(),
        torch.from_numpy(labels), [p for p, _ in pairs])


def load_split(root: str, fmt: str, split: str,
               img_size: Union[int, Tuple[int, int]] = 128,
               max_images: Optional[int] = None) -> DenseData:
    """:func:`read_split` then :func:`load_pairs`; ``max_images`` keeps that
    many, evenly spaced over the sorted list."""
    pairs = read_split(root, fmt, split)
    if max_images is not None and max_images < len(pairs):
        keep = np.linspace(0, len(pairs) - 1, max_images).round().astype(int)
        pairs = [pairs[i] for i in keep]
    return load_pairs(pairs, img_size)


def num_classes_in(*splits: DenseData) -> int:
    """Largest label below 255, plus one (Cityscapes: 19, VOC: 21)."""
    found = [int(s.labels[s.labels != IGNORE_INDEX].max())
             for s in splits if (s.labels != IGNORE_INDEX).any()]
    if not found:
        raise ValueError('the data holds no labelled pixel')
    return max(found) + 1
