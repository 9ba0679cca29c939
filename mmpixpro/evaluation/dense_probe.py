"""Dense probe: how useful a frozen backbone's features are per pixel.

The composition of the probe's parts: splits from :mod:`.dense_data`, the
backbone from :mod:`.probe_backbone`, features on a grid from
:mod:`.dense_features`, the linear and kNN probes of :mod:`.probes`, scored
by :mod:`.segmentation_metrics`. A ``num_classes`` below a label value in
the data is refused.

Two scores on a held-out split, each as mmseg's ``IoUMetric`` computes it
(per-class IoU, mean over classes present in the ground truth or the
predictions; pixel accuracy): a per-pixel linear classifier trained on the
train split's pixels, and a k-nearest-neighbour vote over a bank of labelled
train pixels (no training).
"""
import math
import time
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config

from .dense_data import IGNORE_INDEX, DenseData, num_classes_in
from .dense_features import (IMAGENET_MEAN, IMAGENET_STD, extract_features,
                             label_grid)
from .probe_backbone import build_backbone
from .probes import fit_linear_probe, knn_predict
from .segmentation_metrics import confusion_matrix, segmentation_scores


def _image_size(img_size) -> Optional[Tuple[int, int]]:
    if img_size is None:
        return None
    if isinstance(img_size, int):
        return img_size, img_size
    size = tuple(img_size)
    return size * 2 if len(size) == 1 else size


def check_probe_settings(num_classes: Optional[int] = None,
                         stride: Optional[int] = None,
                         epochs: Optional[int] = None,
                         img_size: Union[int, Sequence[int], None] = None,
                         lr: Optional[float] = None,
                         max_train_pixels: Optional[int] = None,
                         knn_k: Optional[int] = None,
                         knn_temperature: Optional[float] = None,
                         knn_bank: Optional[int] = None,
                         batch_size: Optional[int] = None,
                         max_images: Optional[int] = None) -> None:
    """Refuse values that cannot work, naming the option and its range, so
    nothing is read or computed first. None skips a check.

    Args:
        num_classes (int, optional): ``--num-classes``, 2..255.
        stride (int, optional): ``--stride``, positive; with ``img_size`` it
            must divide the label size (height and width).
        epochs (int, optional): ``--epochs``, at least 1.
        img_size (int | tuple[int, int], optional): ``--img-size``, the
            size images and labels are resized to; each at least 1.
        lr (float, optional): ``--lr``, positive.
        max_train_pixels (int, optional): ``--max-train-pixels``, >= 1.
        knn_k (int, optional): ``--knn-k``, at least 1.
        knn_temperature (float, optional): ``--knn-temperature``, positive.
        knn_bank (int, optional): ``--knn-bank``, at least 1.
        batch_size (int, optional): ``--batch-size``, at least 1.
        max_images (int, optional): ``--max-images``, at least 1.

    Raises:
        ValueError: naming the first setting out of range.
    """
    if num_classes is not None and not 2 <= num_classes <= IGNORE_INDEX:
        raise ValueError(
            f'--num-classes must be 2..255 (a probe tells classes apart; '
            f'255 is the ignore label), got {num_classes}')
    if stride is not None and stride < 1:
        raise ValueError(f'--stride must be a positive number of pixels, '
                         f'got {stride}')
    if epochs is not None and epochs < 1:
        raise ValueError(f'--epochs must be at least 1 (the linear probe '
                         f'needs training), got {epochs}')
    size = _image_size(img_size)
    if size is not None and (len(size) != 2 or min(size) < 1):
        raise ValueError('--img-size must be S or H W, each at least 1, '
                         f'got {img_size}')
    if stride is not None and size is not None:
        check_stride(stride, size)
    for option, value in (('--max-train-pixels', max_train_pixels),
                          ('--knn-k', knn_k), ('--knn-bank', knn_bank),
                          ('--batch-size', batch_size),
                          ('--max-images', max_images)):
        if value is not None and value < 1:
            raise ValueError(f'{option} must be at least 1, got {value}')
    for option, value in (('--lr', lr), ('--knn-temperature',
                                         knn_temperature)):
        if value is not None and not 0 < value < math.inf:
            raise ValueError(
                f'{option} must be a positive finite number, got {value}')


def check_stride(stride: int, label_size: Sequence[int]) -> None:
    """Refuse a ``--stride`` that does not divide the label size (H, W):
    its grid would be empty or would not cover the labels."""
    h, w = label_size
    if h % stride or w % stride:
        fits = [s for s in range(1, min(h, w) + 1)
                if h % s == 0 and w % s == 0]
        why = ('is larger than' if stride > min(h, w) else 'does not divide')
        raise ValueError(
            f'--stride {stride} {why} the label size {h}x{w} (--img-size): '
            f'it must divide both sides, one of {fits}')


def check_label_classes(train: DenseData, val: DenseData,
                        num_classes: int) -> None:
    """Refuse splits the scores would mean nothing on: a train split whose
    labelled pixels hold fewer than two classes (both probes can then only
    predict that class, and a val split of it scores 100.00) and a val
    split with no labelled pixel."""
    def classes(split):
        return sorted(int(v) for v in split.labels.unique()
                      if int(v) != IGNORE_INDEX and int(v) < num_classes)

    found = classes(train)
    if len(found) < 2:
        raise ValueError(
            f'the train split\'s labels hold {len(found)} class'
            f'{"" if len(found) == 1 else "es"} ({found}; 255 = ignore): the '
            'probes need at least two classes to tell apart (with one, every '
            'pixel is predicted as it, and a val split of it scores 100.00). '
            'Are these label '
            'maps of class indices (Cityscapes *_labelTrainIds.png, VOC '
            'SegmentationClass), and is this the right split?')
    if not classes(val):
        raise ValueError('the val split has no labelled pixel (all 255): '
                         'nothing to score')


def check_num_classes(num_classes: int, *splits: DenseData) -> None:
    """Refuse a class count below the label values the data holds (their
    pixels would be dropped silently, and the mIoU over the rest
    inflated), listing the values found."""
    values = sorted({int(v) for s in splits for v in s.labels.unique()
                     if int(v) != IGNORE_INDEX})
    over = [v for v in values if v >= num_classes]
    if over:
        raise ValueError(
            f'--num-classes {num_classes} is smaller than the labels: the '
            f'data holds label values {values} (255 = ignore); '
            f'{over} would be dropped. Pass --num-classes {values[-1] + 1} '
            'or more, or leave it out.')


def dense_probe(backbone: nn.Module,
                train: DenseData,
                val: DenseData,
                num_classes: Optional[int] = None,
                stride: int = 8,
                mean: Sequence[float] = IMAGENET_MEAN,
                std: Sequence[float] = IMAGENET_STD,
                epochs: int = 10,
                lr: float = 1e-2,
                pixel_batch_size: int = 4096,
                max_train_pixels: int = 100_000,
                knn_k: int = 20,
                knn_temperature: float = 0.07,
                knn_bank: int = 10_000,
                batch_size: int = 16,
                seed: int = 0,
                progress: bool = False) -> Dict:
    """Linear and kNN scores of a frozen backbone (a module whose last output
    is a (N, C, h, w) map) on ``val`` after seeing ``train``.

    Train pixels: the labelled grid cells, a seeded random subset of at most
    ``max_train_pixels``; the kNN bank is a seeded subset of those of at
    most ``knn_bank``. Memory holds those pixels' features and one val batch.
    Returns the settings, ``linear`` and ``knn`` scores (see
    :func:`segmentation_scores`), ``seconds`` and ``time`` per step, and
    ``predictions``: ``gt``, ``linear``, ``knn``, each (N_val, h, w) uint8.
    """
    begin = time.perf_counter()
    check_probe_settings(num_classes=num_classes, stride=stride,
                         epochs=epochs, lr=lr,
                         max_train_pixels=max_train_pixels, knn_k=knn_k,
                         knn_temperature=knn_temperature, knn_bank=knn_bank,
                         batch_size=batch_size)
    if pixel_batch_size < 1:
        raise ValueError(
            f'pixel_batch_size must be at least 1, got {pixel_batch_size}')
    for split in (train, val):
        check_stride(stride, split.labels.shape[-2:])
    if num_classes is None:
        num_classes = num_classes_in(train, val)
    check_num_classes(num_classes, train, val)
    check_label_classes(train, val, num_classes)
    backbone.eval()
    extract = dict(stride=stride, mean=mean, std=std, batch_size=batch_size,
                   progress=progress)
    generator = torch.Generator().manual_seed(seed)

    train_grid = label_grid(train.labels, stride)
    cells = train_grid[0].numel()
    flat = train_grid.reshape(-1)
    chosen = ((flat != IGNORE_INDEX) & (flat < num_classes)).nonzero()[:, 0]
    if not len(chosen):
        raise ValueError('the train split has no labelled pixel')
    if len(chosen) > max_train_pixels:
        chosen = chosen[torch.randperm(len(chosen), generator=generator)
                        [:max_train_pixels]].sort().values
    parts = []
    for start, feats in extract_features(backbone, train.images, **extract):
        lo, hi = torch.searchsorted(
            chosen, torch.tensor([start, start + len(feats)]) * cells).tolist()
        parts.append(feats.permute(0, 2, 3, 1).reshape(-1, feats.shape[1])
                     [chosen[lo:hi] - start * cells])
    x, y = torch.cat(parts), flat[chosen]
    time_features = time.perf_counter() - begin

    tick = time.perf_counter()
    linear = fit_linear_probe(x, y, num_classes, epochs, lr, pixel_batch_size,
                              seed)
    time_linear = time.perf_counter() - tick
    bank_idx = torch.randperm(len(x), generator=generator)[:knn_bank]
    bank, bank_labels = x[bank_idx], y[bank_idx]
    del x, parts

    gt = label_grid(val.labels, stride)
    preds = dict(linear=torch.empty_like(gt, dtype=torch.uint8),
                 knn=torch.empty_like(gt, dtype=torch.uint8))
    time_knn = 0.
    for start, feats in extract_features(backbone, val.images, **extract):
        b, c, h, w = feats.shape
        pixels = feats.permute(0, 2, 3, 1).reshape(-1, c)
        preds['linear'][start:start + b] = linear(pixels).argmax(1).view(
            b, h, w)
        tick = time.perf_counter()
        preds['knn'][start:start + b] = knn_predict(
            bank, bank_labels, pixels, num_classes, knn_k,
            knn_temperature).view(b, h, w)
        time_knn += time.perf_counter() - tick

    scores = {
        name: segmentation_scores(confusion_matrix(pred, gt, num_classes))
        for name, pred in preds.items()
    }
    seconds = time.perf_counter() - begin
    return dict(
        num_classes=num_classes, stride=stride, grid=list(gt.shape[1:]),
        num_train=len(train), num_val=len(val), train_pixels=len(y),
        bank_pixels=len(bank), **scores, seconds=seconds,
        time=dict(train_features=time_features, linear_fit=time_linear,
                  knn=time_knn,  # the rest: val features, linear predictions
                  val=seconds - time_features - time_linear - time_knn),
        predictions=dict(gt=gt.to(torch.uint8).numpy(),
                         **{k: v.numpy() for k, v in preds.items()}))


def run_probe(config: Union[str, Config],
              checkpoint: str,
              train: DenseData,
              val: DenseData,
              stage: int = 4,
              target: bool = False,
              seed: int = 0,
              **kwargs) -> Dict:
    """:func:`dense_probe` of the config's backbone loaded from
    ``checkpoint`` (or ``'random'``); data from :func:`load_split`, so several
    checkpoints can share it. ``kwargs`` go to :func:`dense_probe`; mean/std
    default to the config's data preprocessor's."""
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    backbone, kind = build_backbone(cfg, checkpoint, stage, target, seed)
    preprocessor = cfg.model.get('data_preprocessor') or {}
    kwargs.setdefault('mean', preprocessor.get('mean', IMAGENET_MEAN))
    kwargs.setdefault('std', preprocessor.get('std', IMAGENET_STD))
    result = dense_probe(backbone, train, val, seed=seed, **kwargs)
    return dict(checkpoint=checkpoint, kind=kind, stage=stage, target=target,
                seed=seed, **result)
