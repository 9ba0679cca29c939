"""Geometric transforms that record where each view lies in its image."""
import math
import warnings
from typing import Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform
from PIL import Image

from mmpixpro.registry import TRANSFORMS

_INTERPOLATION = dict(
    nearest=Image.NEAREST,
    bilinear=Image.BILINEAR,
    bicubic=Image.BICUBIC,
    lanczos=Image.LANCZOS)


# torch's antialiased resize of uint8 images follows PIL's filters.
_TORCH_INTERPOLATION = ('bilinear', 'bicubic')


def resize_uint8_torch(img: np.ndarray, size: Tuple[int, int],
                       interpolation: str = 'bilinear') -> np.ndarray:
    """An (H, W, C) or (H, W) uint8 array resized to ``size`` (h, w) by
    torch's antialiased ``interpolate`` (its uint8 kernel, which follows
    PIL's resampling filters); returns a uint8 array of the same layout.

    Against PIL's ``resize`` of the same array: within 1 level everywhere
    and equal on most pixels (``tests/test_datasets/test_fast_path.py``),
    two to three times faster on one core (``docs/data_pipeline.md``).
    """
    with warnings.catch_warnings():  # a read-only array: it is only read
        warnings.simplefilter('ignore', UserWarning)
        hwc = torch.from_numpy(img if img.ndim == 3 else img[..., None])
    out = F.interpolate(
        hwc.permute(2, 0, 1)[None],
        size=tuple(size),
        mode=interpolation,
        align_corners=False,
        antialias=True)[0].permute(1, 2, 0)
    return out.numpy() if img.ndim == 3 else out[..., 0].numpy()


@TRANSFORMS.register_module()
class RandomResizedCropWithCoord(BaseTransform):
    """torchvision's RandomResizedCrop that also returns the crop box.

    The box, ``results['coord']`` as float32 ``(x1, y1, x2, y2)``, goes
    through the centres of the crop's first and last pixel column/row,
    normalised by ``W_img - 1`` and ``H_img - 1`` (docs/recipe.md,
    "Positive pixel pairs"). ``results['img']`` (PIL, or an HWC uint8 array
    whose channel order is kept) becomes a PIL image of ``size``; with
    ``backend='torch'`` an HWC array becomes an HWC uint8 array of ``size``
    instead, resized by :func:`resize_uint8_torch` (the fast path: the same
    crop, its pixels within 1 level of PIL's).

    Args:
        size: output ``(height, width)``, or one int for a square.
        scale: range of the crop's area as a fraction of the image's.
        ratio: range of the crop's aspect ratio (width / height).
        interpolation: resampling used for the resize.
        backend: ``'pillow'`` (default, the released recipe's pixels) or
            ``'torch'`` (``'bilinear'`` or ``'bicubic'``; applies to array
            inputs, a PIL image input always goes through PIL).
    """

    def __init__(self,
                 size: Union[int, Sequence[int]] = 224,
                 scale: Tuple[float, float] = (0.08, 1.0),
                 ratio: Tuple[float, float] = (3. / 4., 4. / 3.),
                 interpolation: str = 'bilinear',
                 backend: str = 'pillow') -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        if len(self.size) != 2 or min(self.size) < 1:
            raise ValueError(f'RandomResizedCropWithCoord: size must be a '
                             f'positive int or (h, w), got {size!r}')
        if not (0 < scale[0] <= scale[1] <= 1):
            raise ValueError('RandomResizedCropWithCoord: scale must satisfy '
                             f'0 < min <= max <= 1, got {scale!r}')
        if not (0 < ratio[0] <= ratio[1]):
            raise ValueError('RandomResizedCropWithCoord: ratio must satisfy '
                             f'0 < min <= max, got {ratio!r}')
        if interpolation not in _INTERPOLATION:
            raise ValueError('RandomResizedCropWithCoord: interpolation must '
                             f'be one of {sorted(_INTERPOLATION)}, got '
                             f'{interpolation!r}')
        if backend not in ('pillow', 'torch'):
            raise ValueError('RandomResizedCropWithCoord: backend must be '
                             f"'pillow' or 'torch', got {backend!r}")
        if backend == 'torch' and interpolation not in _TORCH_INTERPOLATION:
            raise ValueError(
                "RandomResizedCropWithCoord: backend='torch' resizes with "
                f'{" or ".join(_TORCH_INTERPOLATION)}, got interpolation='
                f'{interpolation!r}')
        self.scale, self.ratio = tuple(scale), tuple(ratio)
        self.interpolation = interpolation
        self.backend = backend

    def crop_params(self, height: int,
                    width: int) -> Tuple[int, int, int, int]:
        """Sample ``(top, left, h, w)`` as torchvision does: 10 tries, then a
        centre crop clamped to the ratio range."""
        area = height * width
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target_area = area * np.random.uniform(*self.scale)
            aspect = math.exp(np.random.uniform(*log_ratio))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                top = np.random.randint(0, height - h + 1)
                left = np.random.randint(0, width - w + 1)
                return top, left, h, w
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            w, h = width, min(height, max(1, int(round(width / self.ratio[0]))))
        elif in_ratio > self.ratio[1]:
            h, w = height, min(width, max(1, int(round(height * self.ratio[1]))))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def transform(self, results: dict) -> dict:
        img = results['img']
        if isinstance(img, Image.Image):
            width, height = img.size
        else:  # an HWC array: convert only the crop to PIL (same pixels)
            height, width = img.shape[:2]
        top, left, h, w = self.crop_params(height, width)
        # A 1-pixel-wide image has a single column: its box is degenerate
        # but finite.
        sx, sy = max(width - 1, 1), max(height - 1, 1)
        results['coord'] = np.array(
            [left / sx, top / sy, (left + w - 1) / sx, (top + h - 1) / sy],
            dtype=np.float32)
        if isinstance(img, Image.Image):
            img = img.crop((left, top, left + w, top + h))
        elif self.backend == 'torch':
            img = resize_uint8_torch(img[top:top + h, left:left + w],
                                     self.size, self.interpolation)
        else:
            img = Image.fromarray(
                np.ascontiguousarray(img[top:top + h, left:left + w]))
        if isinstance(img, Image.Image):
            img = img.resize((self.size[1], self.size[0]),
                             _INTERPOLATION[self.interpolation])
        results['img'] = img
        results['img_shape'] = self.size
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'scale={self.scale}, ratio={self.ratio}, '
                f'interpolation={self.interpolation}, '
                f'backend={self.backend})')


@TRANSFORMS.register_module()
class RandomFlipWithCoord(BaseTransform):
    """Horizontal flip with probability ``prob``; a flipped view's box has its
    x1 and x2 swapped, so ``x1 > x2`` (needs ``results['coord']``). A PIL
    image stays PIL, an HWC array stays an array."""

    def __init__(self, prob: float = 0.5) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(
                f'RandomFlipWithCoord: prob must be in [0, 1], got {prob!r}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        if 'coord' not in results:
            raise KeyError('RandomFlipWithCoord needs results["coord"]: put '
                           'RandomResizedCropWithCoord before it')
        if np.random.rand() < self.prob:
            img = results['img']
            results['img'] = (
                img.transpose(Image.FLIP_LEFT_RIGHT) if isinstance(
                    img, Image.Image) else np.ascontiguousarray(img[:, ::-1]))
            results['coord'] = results['coord'][[2, 1, 0, 3]]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(prob={self.prob})'
