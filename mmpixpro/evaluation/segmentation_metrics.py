"""Segmentation scores as mmseg's ``IoUMetric`` computes them: per-class
IoU from a confusion matrix, its mean over the classes present in the
ground truth or the predictions, and pixel accuracy."""
from typing import Dict

import torch

from .dense_data import IGNORE_INDEX


def confusion_matrix(pred: torch.Tensor, gt: torch.Tensor, num_classes: int,
                     ignore_index: int = IGNORE_INDEX) -> torch.Tensor:
    """(K, K) pixel counts, rows ground truth, columns prediction; pixels
    whose ground truth is ``ignore_index`` or >= K are left out."""
    pred, gt = pred.reshape(-1).long(), gt.reshape(-1).long()
    keep = (gt != ignore_index) & (gt >= 0) & (gt < num_classes)
    return torch.bincount(
        gt[keep] * num_classes + pred[keep],
        minlength=num_classes**2).reshape(num_classes, num_classes)


def segmentation_scores(confusion: torch.Tensor) -> Dict:
    """``mIoU`` and ``aAcc`` in percent, as mmseg's IoUMetric: per-class IoU
    (None where the class is in neither ground truth nor prediction), mean
    over the others; accuracy over all counted pixels."""
    confusion = confusion.double()
    inter = confusion.diag()
    union = confusion.sum(0) + confusion.sum(1) - inter
    iou = inter / union  # nan where union == 0
    total = confusion.sum()
    return dict(
        mIoU=float(iou.nanmean() * 100),
        aAcc=float(inter.sum() / total * 100) if total else float('nan'),
        IoU=[None if v != v else float(v * 100) for v in iou.tolist()])
