"""Dense probe: how useful a frozen backbone's features are per pixel.

Images are resized to one size (bilinear; labels nearest) and normalised as
the model's data preprocessor does (RGB, 0-255, ImageNet mean/std). One
backbone stage is bilinearly resized (``align_corners=False``) to a grid of
stride ``stride``, so grid cell (i, j) looks at the image point
``((j + 0.5) * stride, (i + 0.5) * stride)``; its label is the pixel
``(i * stride + stride // 2, j * stride + stride // 2)`` (nearest, at the
cell centre). Labels are class indices; 255 is ignored, and a
``num_classes`` below a label value in the data is refused.

Two scores on a held-out split, each as mmseg's ``IoUMetric`` computes it
(per-class IoU, mean over classes present in the ground truth or the
predictions; pixel accuracy): a per-pixel linear classifier trained on the
train split's pixels, and a k-nearest-neighbour vote over a bank of labelled
train pixels (no training).
"""
import copy
import glob
import logging
import os.path as osp
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.utils import ProgressBar
from PIL import Image

from mmpixpro.converters.backbone import (backbone_state_dict,
                                          holds_encoder,
                                          is_backbone_state_dict,
                                          read_pretraining_checkpoint)
from mmpixpro.converters.checkpoint_io import load_checkpoint_file
from mmpixpro.converters.official import CheckpointFormatError

IGNORE_INDEX = 255
FORMATS = ('cityscapes', 'voc')
# What configs/_base_/models/pixpro_r50.py's data preprocessor uses.
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)

# ---------------------------------------------------------------- data


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


# ------------------------------------------------------------ backbone


def read_backbone_weights(path: str,
                          target: bool = False) -> Tuple[OrderedDict, str]:
    """ResNet weights (``conv1.weight``, ``layer1.0.conv1.weight`` ...) and
    the kind of file: ``'pretraining'`` (ours, mmpretrain's BYOL: an mmengine
    checkpoint with ``backbone.*``), ``'released'`` (the authors' PixPro) or
    ``'backbone'`` (an extracted backbone file or a bare ResNet state dict).
    ``target`` takes the momentum encoder of a pre-training checkpoint."""
    try:
        state_dict, kind = read_pretraining_checkpoint(path)
    except CheckpointFormatError as error:
        try:  # a bare state dict: torch.save(resnet.state_dict(), path)
            state_dict = load_checkpoint_file(path)
        except Exception:
            raise error from None
        if not (isinstance(state_dict, dict)
                and is_backbone_state_dict(state_dict)):
            raise error from None
        kind = 'backbone'
    if holds_encoder(state_dict, kind):
        return backbone_state_dict(state_dict, target=target), (
            'released' if kind == 'released' else 'pretraining')
    if not is_backbone_state_dict(state_dict):
        raise CheckpointFormatError(
            f'{path}: expected a pre-training checkpoint (backbone.*) or '
            f'ResNet weights (conv1.weight ...); found keys like '
            f'{list(state_dict)[:4]}')
    if target:
        raise CheckpointFormatError(
            f'{path} holds one backbone; --target needs a pre-training '
            'checkpoint')
    return OrderedDict(state_dict), 'backbone'


def load_strict(module: nn.Module, state_dict: Dict[str, torch.Tensor],
                source: str) -> None:
    """``load_state_dict`` that refuses any partial fit, naming the keys."""
    own = module.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    shapes = [f'{k}: checkpoint {tuple(v.shape)}, model {tuple(own[k].shape)}'
              for k, v in state_dict.items()
              if k in own and v.shape != own[k].shape]
    problems = [f'{len(keys)} {what}, e.g. {keys[:3]}' for what, keys in (
        ('missing keys', missing), ('unexpected keys', unexpected),
        ('shape mismatches', shapes)) if keys]
    if problems:
        raise CheckpointFormatError(
            f"{source} does not fit the config's backbone: " +
            '; '.join(problems))
    module.load_state_dict(state_dict, strict=True)


def build_backbone(config: Union[str, Config],
                   checkpoint: str = 'random',
                   stage: int = 4,
                   target: bool = False,
                   seed: int = 0) -> Tuple[nn.Module, str]:
    """The config's ``model.backbone`` with ``out_indices=(stage - 1, )``,
    frozen in eval mode, and the checkpoint kind (``'random'``: the config's
    initialisation under ``seed``; else see :func:`read_backbone_weights`)."""
    from mmpixpro.registry import MODELS
    from mmpixpro.utils import register_all_modules
    if stage not in (1, 2, 3, 4):
        raise ValueError(f'stage must be 1..4 (C2..C5), got {stage}')
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    backbone_cfg = copy.deepcopy(cfg.model.backbone)
    backbone_cfg.update(out_indices=(stage - 1, ))
    register_all_modules(init_default_scope=False)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        with DefaultScope.overwrite_default_scope('mmpixpro'):
            backbone = MODELS.build(backbone_cfg)
        if checkpoint == 'random':
            logger = MMLogger.get_current_instance()
            level = logger.level
            logger.setLevel(logging.WARNING)  # not every parameter's init
            try:
                backbone.init_weights()
            finally:
                logger.setLevel(level)
            kind = 'random'
        else:
            state_dict, kind = read_backbone_weights(checkpoint, target)
            load_strict(backbone, state_dict, checkpoint)
    backbone.requires_grad_(False)
    backbone.eval()  # mmpretrain's ResNet.train() returns None
    return backbone, kind


# ------------------------------------------------------------ features


def label_grid(labels: torch.Tensor, stride: int) -> torch.Tensor:
    """(N, H, W) -> (N, H // stride, W // stride) long: the label at each
    cell's centre pixel."""
    return labels[:, stride // 2::stride, stride // 2::stride].long()


@torch.no_grad()
def extract_features(backbone: nn.Module,
                     images: torch.Tensor,
                     stride: int,
                     mean: Sequence[float] = IMAGENET_MEAN,
                     std: Sequence[float] = IMAGENET_STD,
                     batch_size: int = 16,
                     progress: bool = False
                     ) -> Iterator[Tuple[int, torch.Tensor]]:
    """Yield ``(start, feats)`` per batch: feats (B, C, H // stride,
    W // stride) float32 of the backbone's last output, for images
    ``start:start + B`` ((N, 3, H, W) uint8 RGB)."""
    n, _, h, w = images.shape
    if h % stride or w % stride:
        raise ValueError(f'image size {h}x{w} is not a multiple of the '
                         f'stride {stride}')
    mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)
    bar = ProgressBar(n) if progress else None
    for start in range(0, n, batch_size):
        x = (images[start:start + batch_size].float() - mean) / std
        feats = backbone(x)[-1]
        yield start, F.interpolate(
            feats, size=(h // stride, w // stride), mode='bilinear',
            align_corners=False)
        if bar is not None:
            bar.update(len(x))
    if bar is not None:
        bar.file.write('\n')


# ---------------------------------------------------- probes and scores


def fit_linear_probe(x: torch.Tensor, y: torch.Tensor, num_classes: int,
                     epochs: int = 10, lr: float = 1e-2,
                     batch_size: int = 4096, seed: int = 0) -> nn.Linear:
    """A linear classifier of pixels x (P, C) with labels y (P, ): Adam on
    the cross-entropy over mini-batches of pixels (seeded shuffles, zero
    init), on features standardised with their mean/std, which is folded
    into the returned layer (it takes raw features).

    The steps are too small to gain from threads, and lose much to them on
    busy cores, so the loop runs on one.
    """
    mean, std = x.mean(0), x.std(0).clamp(min=1e-6)
    linear = nn.Linear(x.shape[1], num_classes)
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    optimizer = torch.optim.Adam(linear.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(epochs):
            for idx in torch.randperm(len(x), generator=generator).split(
                    batch_size):
                with torch.enable_grad():
                    loss = F.cross_entropy(
                        linear((x[idx] - mean) / std), y[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
    with torch.no_grad():
        linear.weight.div_(std)
        linear.bias.sub_(linear.weight @ mean)
    return linear.requires_grad_(False)


@torch.no_grad()
def knn_predict(bank: torch.Tensor, bank_labels: torch.Tensor,
                queries: torch.Tensor, num_classes: int, k: int = 20,
                temperature: float = 0.07,
                chunk_size: int = 1024) -> torch.Tensor:
    """Labels (Q, ) of queries (Q, C) by their k most cosine-similar bank
    pixels (M, C): each neighbour votes for its label with weight
    ``exp(sim / temperature)``; the most voted class wins."""
    bank = F.normalize(bank, dim=1)
    k = min(k, len(bank))
    out = []
    for chunk in F.normalize(queries, dim=1).split(chunk_size):
        sim, idx = (chunk @ bank.T).topk(k, dim=1)
        votes = torch.zeros(len(chunk), num_classes)
        votes.scatter_add_(1, bank_labels[idx], (sim / temperature).exp())
        out.append(votes.argmax(1))
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.long)


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


# ---------------------------------------------------------------- probe


def check_probe_settings(num_classes: Optional[int] = None,
                         stride: Optional[int] = None,
                         epochs: Optional[int] = None) -> None:
    """Refuse values that cannot work, naming the option."""
    if num_classes is not None and not 1 <= num_classes <= IGNORE_INDEX:
        raise ValueError(
            f'--num-classes must be 1..255, got {num_classes}')
    if stride is not None and stride < 1:
        raise ValueError(f'--stride must be a positive number of pixels, '
                         f'got {stride}')
    if epochs is not None and epochs < 1:
        raise ValueError(f'--epochs must be at least 1 (the linear probe '
                         f'needs training), got {epochs}')


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
                         epochs=epochs)
    if num_classes is None:
        num_classes = num_classes_in(train, val)
    check_num_classes(num_classes, train, val)
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
