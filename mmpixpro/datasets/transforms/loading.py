"""Image decoding that turns any image file into a 3-channel RGB PIL image."""
import io
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.fileio import get
from mmengine.logging import MMLogger
from PIL import Image

from mmpixpro.registry import TRANSFORMS


def to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL mode -> 8-bit RGB.

    Grayscale, palette (with or without transparency), RGBA/LA (alpha is
    dropped), CMYK and 1-bit images are converted by PIL; 16-bit and 32-bit
    integer images are scaled from [0, 65535] to [0, 255] (PIL alone would
    clip them to white); float images are taken as [0, 1] when their maximum
    is at most 1, else as [0, 255].
    """
    if img.mode == 'RGB':
        return img
    if img.mode.startswith('I') or img.mode == 'F':
        arr = np.asarray(img, dtype=np.float64)
        if img.mode == 'F' and arr.max(initial=0) <= 1:
            arr = arr * 255
        elif img.mode != 'F' and (img.mode.startswith('I;16')
                                  or arr.max(initial=0) > 255):
            arr = arr / 257
        img = Image.fromarray(np.clip(arr.round(), 0, 255).astype(np.uint8))
    elif img.mode == 'P':
        img = img.convert('RGBA')
    return img.convert('RGB')


@TRANSFORMS.register_module()
class LoadRGBImageFromFile(BaseTransform):
    """Read ``results['img_path']`` into ``results['img']``, an RGB PIL image.

    Adds ``img_shape`` and ``ori_shape`` as ``(height, width)``. A file that
    cannot be read or decoded (missing, truncated, not an image) raises an
    ``OSError`` naming it; with ``skip_invalid=True`` it is logged and the
    transform returns None, so the dataset draws another sample instead.

    Args:
        skip_invalid: skip unreadable files instead of stopping.
        backend_args: mmengine file backend arguments (e.g. for petrel).
    """

    num_skipped = 0  # per process, reported in each warning

    def __init__(self,
                 skip_invalid: bool = False,
                 backend_args: Optional[dict] = None) -> None:
        self.skip_invalid = skip_invalid
        self.backend_args = backend_args

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            img = Image.open(io.BytesIO(get(path, self.backend_args)))
            img.load()
            img = to_rgb(img)
        except Exception as e:  # PIL raises OSError, ValueError, SyntaxError..
            msg = f'cannot read image {path}: {type(e).__name__}: {e}'
            if not self.skip_invalid:
                raise OSError(
                    f'{msg}. Remove or fix the file, or set skip_invalid=True '
                    'on LoadRGBImageFromFile to skip such files.') from e
            LoadRGBImageFromFile.num_skipped += 1
            MMLogger.get_current_instance().warning(
                f'{msg}; skipped ({LoadRGBImageFromFile.num_skipped} '
                'unreadable files skipped so far in this process)')
            return None
        results['img'] = img
        results['img_shape'] = results['ori_shape'] = (img.height, img.width)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(skip_invalid={self.skip_invalid})'
