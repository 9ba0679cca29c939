"""The Cityscapes and VOC split readers: file pairs, sizes, label values."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from mmpixpro.evaluation import load_split, num_classes_in, read_split


def write_cityscapes(root, splits=(('train', 4), ('val', 3)), size=64):
    rng = np.random.default_rng(0)
    labels = {}
    for split, count in splits:
        for i in range(count):
            city = ('aachen', 'bonn')[i % 2]
            for sub in ('leftImg8bit', 'gtFine'):
                os.makedirs(root / sub / split / city, exist_ok=True)
            stem = f'{city}_{i:06d}_000019'
            label = rng.choice([0, 1, 2, 255], (size, size)).astype(np.uint8)
            Image.fromarray(rng.integers(0, 256, (size, size, 3), np.uint8)) \
                .save(root / 'leftImg8bit' / split / city /
                      f'{stem}_leftImg8bit.png')
            Image.fromarray(label).save(root / 'gtFine' / split / city /
                                        f'{stem}_gtFine_labelTrainIds.png')
            labels[f'{split}/{stem}'] = label
    return labels


def test_cityscapes_reader(tmp_path):
    labels = write_cityscapes(tmp_path)
    pairs = read_split(str(tmp_path), 'cityscapes', 'train')
    assert [os.path.basename(p) for p, _ in pairs][:2] == [
        'aachen_000000_000019_leftImg8bit.png',
        'aachen_000002_000019_leftImg8bit.png'
    ]
    for img, label in pairs:
        assert label == img.replace('leftImg8bit', 'gtFine', 1).replace(
            '_leftImg8bit.png', '_gtFine_labelTrainIds.png')
    data = load_split(str(tmp_path), 'cityscapes', 'val', img_size=64)
    assert data.images.shape == (3, 3, 64, 64)
    assert data.images.dtype == torch.uint8
    stems = [os.path.basename(p)[:-len('_leftImg8bit.png')]
             for p in data.names]
    for i, stem in enumerate(stems):
        np.testing.assert_array_equal(data.labels[i], labels[f'val/{stem}'])
    small = load_split(str(tmp_path), 'cityscapes', 'val', (32, 48),
                       max_images=2)
    assert small.labels.shape == (2, 32, 48)
    assert set(small.labels.unique().tolist()) <= {0, 1, 2, 255}
    assert num_classes_in(data, small) == 3
    os.remove(pairs[0][1])
    with pytest.raises(FileNotFoundError, match='1 missing'):
        read_split(str(tmp_path), 'cityscapes', 'train')


def test_voc_reader(tmp_path):
    voc = tmp_path / 'VOCdevkit' / 'VOC2012'
    for sub in ('JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation'):
        os.makedirs(voc / sub)
    rng = np.random.default_rng(0)
    ids = ['2007_000032', '2007_000033', '2008_000005']
    labels = {}
    for image_id in ids:
        Image.fromarray(rng.integers(0, 256, (40, 56, 3), np.uint8)).save(
            voc / 'JPEGImages' / f'{image_id}.jpg')
        label = rng.choice([0, 15, 20, 255], (40, 56)).astype(np.uint8)
        png = Image.frombytes('P', (56, 40), label.tobytes())
        png.putpalette(rng.integers(0, 256, 768, np.uint8).tolist())
        png.save(voc / 'SegmentationClass' / f'{image_id}.png')
        labels[image_id] = label
    (voc / 'ImageSets/Segmentation/val.txt').write_text('\n'.join(ids[::-1]))
    data = load_split(str(voc), 'voc', 'val', img_size=(40, 56))
    assert [os.path.basename(p) for p in data.names] == [
        f'{i}.jpg' for i in ids]
    for i, image_id in enumerate(ids):  # palette indices, not colours
        np.testing.assert_array_equal(data.labels[i], labels[image_id])
    assert num_classes_in(data) == 21
    with pytest.raises(FileNotFoundError, match='VOCdevkit/VOC2012'):
        read_split(str(voc), 'voc', 'train')
