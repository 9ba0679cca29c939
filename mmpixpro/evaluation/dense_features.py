"""Per-pixel features of a frozen backbone, and the labels they are scored
against, on one grid.

One backbone stage is bilinearly resized (``align_corners=False``) to a
grid of stride ``stride``, so grid cell (i, j) looks at the image point
``((j + 0.5) * stride, (i + 0.5) * stride)``; its label is the pixel
``(i * stride + stride // 2, j * stride + stride // 2)`` (nearest, at the
cell centre). Images are normalised as the model's data preprocessor does
(RGB, 0-255, ImageNet mean/std by default).
"""
from typing import Iterator, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.utils import ProgressBar

# What the data preprocessors of configs/_base_/datasets/ use.
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


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
