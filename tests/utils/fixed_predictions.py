"""The downstream configs' evaluators on fixed predictions, whose scores are
known: the ground truth itself (every metric perfect), and the ground truth
boxes shifted sideways so each overlaps its object with IoU 0.62 (matched
at IoU thresholds 0.5, 0.55 and 0.6 of COCO's ten, missed from 0.65 on).

A 2-iteration training run detects nothing or noise, so its metrics say
only that the chain runs; these say that the config's evaluator, reading
the generated data in its real format, scores what it should."""
from typing import Dict, List

import numpy as np
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope

# Sideways shift s of a box of width w with (w - s) / (w + s) = IoU: 0.62,
# between the thresholds 0.6 and 0.65 whether widths count pixels (x2 - x1)
# or pixel centres (x2 - x1 + 1, VOC's legacy rule) for boxes >= 24 px.
SHIFTED_IOU = 0.62


def shift_boxes(boxes: torch.Tensor, iou: float = SHIFTED_IOU) -> torch.Tensor:
    """(K, 4) xyxy boxes moved right so each overlaps its original with
    ``iou`` (same height, same width)."""
    w = boxes[:, 2] - boxes[:, 0]
    s = w * (1 - iou) / (1 + iou)
    out = boxes.clone()
    out[:, 0] += s
    out[:, 2] += s
    return out


def evaluate(cfg: Config, scope: str, samples: List, dataset_meta: dict,
             which: str = 'val_evaluator') -> Dict[str, float]:
    """``cfg[which]`` as mmengine builds it, on ``samples`` (data samples
    with predictions)."""
    with DefaultScope.overwrite_default_scope(scope):
        evaluator = Evaluator(cfg[which])
        evaluator.dataset_meta = dataset_meta
        evaluator.process(data_samples=samples)
        return evaluator.evaluate(len(samples))


def val_dataset(cfg: Config, scope: str):
    """The config's validation dataset, pipeline included."""
    from mmengine.registry import DATASETS
    with DefaultScope.overwrite_default_scope(scope):
        return DATASETS.build(cfg.val_dataloader.dataset)


def coco_samples(ann_file: str, shifted: bool = False) -> List[dict]:
    """For every image of a COCO annotation file: its objects as
    predictions (score 1, label = index of the category in mmdet's COCO
    classes, the mask rasterised from the polygon as pycocotools does it);
    with ``shifted``, every box moved to IoU 0.62 (masks unchanged)."""
    from mmdet.datasets import CocoDataset
    from pycocotools.coco import COCO
    coco = COCO(ann_file)
    classes = CocoDataset.METAINFO['classes']
    cat_ids = coco.getCatIds(catNms=list(classes))
    label_of = {cat: i for i, cat in enumerate(cat_ids)}
    samples = []
    for img_id in sorted(coco.getImgIds()):
        info = coco.loadImgs(img_id)[0]
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
        assert anns, f'image {img_id} has no object'
        boxes = torch.tensor([[x, y, x + w, y + h]
                              for x, y, w, h in (a['bbox'] for a in anns)],
                             dtype=torch.float32)
        if shifted:
            boxes = shift_boxes(boxes)
        masks = torch.from_numpy(
            np.stack([coco.annToMask(a) for a in anns]).astype(bool))
        samples.append(dict(
            img_id=img_id, ori_shape=(info['height'], info['width']),
            pred_instances=dict(
                bboxes=boxes, scores=torch.ones(len(anns)),
                labels=torch.tensor([label_of[a['category_id']]
                                     for a in anns]),
                masks=masks)))
    return samples


def detection_samples(dataset, shifted: bool = False) -> List:
    """The packed data samples of a detection dataset (ground truth at the
    original scale) with their ground truth boxes as predictions."""
    samples = []
    for i in range(len(dataset)):
        sample = dataset[i]['data_samples']
        gt = sample.gt_instances
        assert len(gt) > 0, f'sample {i} has no object'
        boxes = gt.bboxes.tensor if hasattr(gt.bboxes, 'tensor') else \
            gt.bboxes
        boxes = boxes.clone().float()
        if shifted:
            boxes = shift_boxes(boxes)
        pred = gt.new(bboxes=boxes, scores=torch.ones(len(gt)),
                      labels=gt.labels.clone())
        sample.pred_instances = pred
        samples.append(sample)
    return samples


def scores_by_loop(pairs, num_classes: int, ignore: int = 255) -> float:
    """mIoU in percent over the classes present in prediction or ground
    truth, counted pixel by pixel over (pred, gt) label maps."""
    inter = np.zeros(num_classes)
    union = np.zeros(num_classes)
    for pred, gt in pairs:
        pred, gt = np.asarray(pred).ravel(), np.asarray(gt).ravel()
        keep = gt != ignore
        pred, gt = pred[keep], gt[keep]
        for c in range(num_classes):
            inter[c] += np.sum((pred == c) & (gt == c))
            union[c] += np.sum((pred == c) | (gt == c))
    present = union > 0
    return float(100 * np.mean(inter[present] / union[present]))
