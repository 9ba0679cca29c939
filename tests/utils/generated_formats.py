"""Tiny datasets in the real on-disk formats of the transfer benchmarks."""
import os
import os.path as osp

import numpy as np
from PIL import Image

from mmpixpro.datasets.generated_scenes import generate_scene

VOC_CLASSES = ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
               'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
               'motorbike', 'person', 'pottedplant', 'sheep', 'sofa',
               'train', 'tvmonitor')


def scene_with_boxes(rng, height, width, max_objects=3):
    """A generated scene with 1..max_objects solid rectangles; returns the
    image and [(class_index, x1, y1, x2, y2)] in pixels (inclusive)."""
    img = generate_scene(rng, (height, width)).image.copy()
    objects = []
    for _ in range(rng.integers(1, max_objects + 1)):
        w = int(rng.integers(width // 4, width // 2))
        h = int(rng.integers(height // 4, height // 2))
        x1 = int(rng.integers(0, width - w))
        y1 = int(rng.integers(0, height - h))
        cls = int(rng.integers(0, 4))
        img[y1:y1 + h, x1:x1 + w] = (np.array([60, 120, 180, 240])[cls],
                                     255 - 50 * cls, 40 * cls)
        objects.append((cls, x1, y1, x1 + w - 1, y1 + h - 1))
    return img, objects


def write_voc(root, splits=(('VOC2007', 'trainval', 4), ('VOC2012', 'trainval',
                                                          4), ('VOC2007',
                                                               'test', 3)),
              size=(96, 128), seed=0):
    """VOCdevkit/VOC20xx/{JPEGImages,Annotations,ImageSets/Main/<split>.txt}."""
    rng = np.random.default_rng(seed)
    for year, split, count in splits:
        base = osp.join(root, year)
        for sub in ('JPEGImages', 'Annotations', 'ImageSets/Main'):
            os.makedirs(osp.join(base, sub), exist_ok=True)
        ids = []
        for i in range(count):
            name = f'{year}_{split}_{i:04d}'
            img, objects = scene_with_boxes(rng, *size)
            Image.fromarray(img).save(osp.join(base, 'JPEGImages',
                                               name + '.jpg'))
            xml = [f'<annotation><filename>{name}.jpg</filename><size>'
                   f'<width>{size[1]}</width><height>{size[0]}</height>'
                   '<depth>3</depth></size>']
            for cls, x1, y1, x2, y2 in objects:  # VOC boxes are 1-based
                xml.append(
                    f'<object><name>{VOC_CLASSES[cls]}</name><difficult>0'
                    f'</difficult><bndbox><xmin>{x1 + 1}</xmin><ymin>{y1 + 1}'
                    f'</ymin><xmax>{x2 + 1}</xmax><ymax>{y2 + 1}</ymax>'
                    '</bndbox></object>')
            xml.append('</annotation>')
            with open(osp.join(base, 'Annotations', name + '.xml'), 'w') as f:
                f.write(''.join(xml))
            ids.append(name)
        with open(osp.join(base, 'ImageSets', 'Main', split + '.txt'),
                  'w') as f:
            f.write('\n'.join(ids) + '\n')
    return root


def write_cityscapes(root, splits=(('train', 3), ('val', 2)), size=(96, 192),
                     seed=0):
    """leftImg8bit/<split>/<city>/*_leftImg8bit.png with
    gtFine/<split>/<city>/*_gtFine_labelTrainIds.png (ids 0..18, 255 =
    ignore)."""
    rng = np.random.default_rng(seed)
    for split, count in splits:
        img_dir = osp.join(root, 'leftImg8bit', split, 'gentown')
        ann_dir = osp.join(root, 'gtFine', split, 'gentown')
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(ann_dir, exist_ok=True)
        for i in range(count):
            img, objects = scene_with_boxes(rng, *size)
            label = np.zeros(size, np.uint8)  # background: road (0)
            label[:size[0] // 4] = 10  # sky
            for cls, x1, y1, x2, y2 in objects:
                label[y1:y2 + 1, x1:x2 + 1] = 11 + cls  # person, rider, ...
            label[0, 0] = 255
            name = f'gentown_{i:06d}_000019'
            Image.fromarray(img).save(
                osp.join(img_dir, f'{name}_leftImg8bit.png'))
            Image.fromarray(label).save(
                osp.join(ann_dir, f'{name}_gtFine_labelTrainIds.png'))
    return root
