"""Detections beside the ground truth: held-out images in columns, the
ground truth in the first row and one row per detector, each box in its
class's colour with the class name (and score)."""
import os.path as osp
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw

from .label_maps import label_palette
from .layout import panel_row, save_png

Box = Tuple[float, float, float, float]


def draw_boxes(image: np.ndarray, boxes: Sequence[Box], labels: Sequence[int],
               class_names: Sequence[str],
               scores: Optional[Sequence[float]] = None,
               scale: int = 2) -> np.ndarray:
    """``image`` (h, w, 3 uint8) enlarged ``scale`` times with the boxes
    (x1, y1, x2, y2 in the image's pixels) drawn on it; class ``k``'s
    colour is ``label_palette``'s row ``k + 1`` (row 0 is background)."""
    h, w = image.shape[:2]
    canvas = Image.fromarray(image).resize((w * scale, h * scale),
                                           Image.NEAREST)
    draw = ImageDraw.Draw(canvas)
    palette = label_palette(len(class_names) + 1)
    for i, (box, label) in enumerate(zip(boxes, labels)):
        colour = tuple(int(c) for c in palette[int(label) + 1])
        x1, y1, x2, y2 = (float(v) * scale for v in box)
        draw.rectangle((x1, y1, x2, y2), outline=colour, width=2)
        text = class_names[int(label)]
        if scores is not None:
            text += f' {scores[i]:.2f}'
        draw.text((x1 + 2, y1 + 1), text, fill=colour)
    return np.asarray(canvas).copy()


def read_voc_boxes(xml_path: str,
                   class_names: Sequence[str]) -> Tuple[List[Box], List[int]]:
    """Boxes (0-based, x2/y2 exclusive as mmdet reads them) and class
    indices of a VOC annotation."""
    boxes, labels = [], []
    for obj in ET.parse(xml_path).getroot().iter('object'):
        bb = obj.find('bndbox')
        x1, y1, x2, y2 = (float(bb.find(k).text)
                          for k in ('xmin', 'ymin', 'xmax', 'ymax'))
        boxes.append((x1 - 1, y1 - 1, x2, y2))
        labels.append(class_names.index(obj.find('name').text))
    return boxes, labels


def stack_rows(rows: Sequence[np.ndarray]) -> np.ndarray:
    width = max(r.shape[1] for r in rows)
    padded = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)),
                     constant_values=255) for r in rows]
    return np.concatenate(padded, 0)


def draw_detection_figure(config: str,
                          checkpoints: Dict[str, Optional[str]],
                          voc_root: str,
                          split: str,
                          count: int,
                          out: str,
                          score_thr: float = 0.3) -> str:
    """The first ``count`` images of ``voc_root``'s ``split``: ground truth,
    then each detector's boxes above ``score_thr``, one row per detector.
    A detector whose checkpoint is None (its run failed) gets a row that
    says so.

    Args:
        config (str): the detection config the checkpoints were trained
            with (mmdet's ``init_detector`` builds it).
        checkpoints (dict): ``{row name: checkpoint path or None}``.
        voc_root (str): a VOC year folder (``.../VOCdevkit/VOC2007``).
        split (str): image list under ``ImageSets/Main``.
        count (int): images per row.
        out (str): PNG to write.
        score_thr (float): lowest score drawn. Defaults to 0.3.

    Returns:
        str: the line the tools print.
    """
    from mmdet.apis import inference_detector, init_detector
    from mmengine.config import Config

    cfg = Config.fromfile(config)
    class_names = list(cfg.train_dataloader.dataset.metainfo['classes'])
    with open(osp.join(voc_root, 'ImageSets', 'Main', f'{split}.txt')) as f:
        ids = [line.strip() for line in f if line.strip()][:count]
    paths = [osp.join(voc_root, 'JPEGImages', f'{i}.jpg') for i in ids]
    images = [np.asarray(Image.open(p).convert('RGB')) for p in paths]
    panels = []
    for image_id, image in zip(ids, images):
        boxes, labels = read_voc_boxes(
            osp.join(voc_root, 'Annotations', f'{image_id}.xml'),
            class_names)
        panels.append((f'ground truth {image_id}',
                       draw_boxes(image, boxes, labels, class_names)))
    rows = [panel_row(panels)[0]]
    blank = np.full_like(panels[0][1], 255)
    for name, checkpoint in checkpoints.items():
        if checkpoint is None:
            rows.append(panel_row([(f'{name}: no detector (run failed or '
                                    'not run)', blank)])[0])
            continue
        model = init_detector(cfg, checkpoint, device='cpu')
        row = []
        for path, image in zip(paths, images):
            pred = inference_detector(model, path).pred_instances
            keep = pred.scores >= score_thr
            row.append((name,
                        draw_boxes(image, pred.bboxes[keep].tolist(),
                                   pred.labels[keep].tolist(), class_names,
                                   pred.scores[keep].tolist())))
        rows.append(panel_row(row)[0])
    return save_png(stack_rows(rows), out)
