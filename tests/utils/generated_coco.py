"""A tiny COCO 2017 instance-segmentation dataset in the real on-disk format:
``annotations/instances_{train,val}2017.json`` and ``{train,val}2017/*.jpg``,
with polygon masks."""
import json
import os
import os.path as osp

import numpy as np
from PIL import Image

from tests.utils.generated_formats import scene_with_boxes

# The 80 COCO categories with their ids in the official annotation files
# (1..90 with gaps); mmdet maps them to labels through the names.
COCO_CATEGORIES = (
    (1, 'person'), (2, 'bicycle'), (3, 'car'), (4, 'motorcycle'),
    (5, 'airplane'), (6, 'bus'), (7, 'train'), (8, 'truck'), (9, 'boat'),
    (10, 'traffic light'), (11, 'fire hydrant'), (13, 'stop sign'),
    (14, 'parking meter'), (15, 'bench'), (16, 'bird'), (17, 'cat'),
    (18, 'dog'), (19, 'horse'), (20, 'sheep'), (21, 'cow'),
    (22, 'elephant'), (23, 'bear'), (24, 'zebra'), (25, 'giraffe'),
    (27, 'backpack'), (28, 'umbrella'), (31, 'handbag'), (32, 'tie'),
    (33, 'suitcase'), (34, 'frisbee'), (35, 'skis'), (36, 'snowboard'),
    (37, 'sports ball'), (38, 'kite'), (39, 'baseball bat'),
    (40, 'baseball glove'), (41, 'skateboard'), (42, 'surfboard'),
    (43, 'tennis racket'), (44, 'bottle'), (46, 'wine glass'), (47, 'cup'),
    (48, 'fork'), (49, 'knife'), (50, 'spoon'), (51, 'bowl'),
    (52, 'banana'), (53, 'apple'), (54, 'sandwich'), (55, 'orange'),
    (56, 'broccoli'), (57, 'carrot'), (58, 'hot dog'), (59, 'pizza'),
    (60, 'donut'), (61, 'cake'), (62, 'chair'), (63, 'couch'),
    (64, 'potted plant'), (65, 'bed'), (67, 'dining table'), (70, 'toilet'),
    (72, 'tv'), (73, 'laptop'), (74, 'mouse'), (75, 'remote'),
    (76, 'keyboard'), (77, 'cell phone'), (78, 'microwave'), (79, 'oven'),
    (80, 'toaster'), (81, 'sink'), (82, 'refrigerator'), (84, 'book'),
    (85, 'clock'), (86, 'vase'), (87, 'scissors'), (88, 'teddy bear'),
    (89, 'hair drier'), (90, 'toothbrush'))


def object_polygon(x1, y1, x2, y2, octagon=False):
    """The outline of a painted box (pixels x1..x2, y1..y2 inclusive) as a
    COCO polygon ``[x, y, x, y, ...]`` in continuous coordinates; with
    ``octagon`` its corners are cut (same tight box, smaller area)."""
    l, t, r, b = x1, y1, x2 + 1, y2 + 1
    if not octagon:
        return [l, t, r, t, r, b, l, b]
    c = max(1, min(r - l, b - t) // 4)
    return [l + c, t, r - c, t, r, t + c, r, b - c,
            r - c, b, l + c, b, l, b - c, l, t + c]


def polygon_area(poly):
    """Shoelace area of a flat ``[x, y, ...]`` polygon."""
    x, y = np.asarray(poly[0::2], float), np.asarray(poly[1::2], float)
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) /
                 2)


def write_coco(root, splits=(('train2017', 4), ('val2017', 3)),
               size=(96, 128), seed=0):
    """``root/annotations/instances_<split>.json`` and ``root/<split>/*.jpg``
    for each ``(split, number of images)``. Objects are the scene's painted
    boxes, with ids 1..4 (person, bicycle, car, motorcycle); every other
    object's mask is an octagon, the rest rectangles."""
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    categories = [
        dict(id=i, name=name, supercategory='object')
        for i, name in COCO_CATEGORIES
    ]
    image_id = ann_id = 0
    height, width = size
    for split, count in splits:
        os.makedirs(osp.join(root, split), exist_ok=True)
        images, annotations = [], []
        for _ in range(count):
            image_id += 1
            file_name = f'{image_id:012d}.jpg'
            img, objects = scene_with_boxes(rng, height, width)
            Image.fromarray(img).save(osp.join(root, split, file_name))
            images.append(
                dict(id=image_id, file_name=file_name, height=height,
                     width=width, license=1))
            for cls, x1, y1, x2, y2 in objects:
                ann_id += 1
                poly = object_polygon(x1, y1, x2, y2, octagon=ann_id % 2 == 0)
                annotations.append(
                    dict(id=ann_id, image_id=image_id,
                         category_id=COCO_CATEGORIES[cls][0],
                         segmentation=[poly], area=polygon_area(poly),
                         bbox=[x1, y1, x2 - x1 + 1, y2 - y1 + 1], iscrowd=0))
        data = dict(
            info=dict(description='generated COCO-format test data',
                      version='1.0', year=2017),
            licenses=[dict(id=1, name='generated', url='')],
            images=images, annotations=annotations, categories=categories)
        with open(osp.join(root, 'annotations', f'instances_{split}.json'),
                  'w') as f:
            json.dump(data, f)
    return root
