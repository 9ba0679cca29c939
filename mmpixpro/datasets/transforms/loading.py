"""Image decoding that turns any image file into a 3-channel RGB PIL image."""
import io
import os.path as osp
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.fileio import get
from mmengine.logging import MMLogger
from PIL import Image, ImageOps

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

    The EXIF orientation tag is applied (the image is turned upright), as
    mmpretrain's ``LoadImageFromFile`` does through OpenCV's decoder.

    Adds ``img_shape`` and ``ori_shape`` as ``(height, width)``. A file that
    cannot be read or decoded (missing, truncated, not an image) raises an
    ``OSError`` naming it; with ``skip_invalid=True`` it is logged and the
    transform returns None, so the dataset draws another sample instead.
    The first ``max_warnings`` skips are logged one by one, later ones every
    100th; ``max_consecutive_invalid`` unreadable files in a row (no file
    read in between) stop with one error naming their folder, instead of
    mmengine's 1000 refetches.

    Args:
        skip_invalid: skip unreadable files instead of stopping.
        backend_args: mmengine file backend arguments (e.g. for petrel).
        max_consecutive_invalid: stop after this many unreadable files in a
            row.
        max_warnings: log this many skips one by one.
    """

    num_skipped = 0  # per process, reported in each warning

    def __init__(self,
                 skip_invalid: bool = False,
                 backend_args: Optional[dict] = None,
                 max_consecutive_invalid: int = 50,
                 max_warnings: int = 10) -> None:
        self.skip_invalid = skip_invalid
        self.backend_args = backend_args
        self.max_consecutive_invalid = max_consecutive_invalid
        self.max_warnings = max_warnings
        self._invalid_in_a_row = []

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        try:
            img = Image.open(io.BytesIO(get(path, self.backend_args)))
            img.load()
            img = to_rgb(ImageOps.exif_transpose(img))
        except Exception as e:  # PIL raises OSError, ValueError, SyntaxError..
            msg = f'cannot read image {path}: {type(e).__name__}: {e}'
            if not self.skip_invalid:
                raise OSError(
                    f'{msg}. Remove or fix the file, or set skip_invalid=True '
                    'on LoadRGBImageFromFile to skip such files.') from e
            LoadRGBImageFromFile.num_skipped += 1
            self._invalid_in_a_row.append(str(path))
            if len(self._invalid_in_a_row) >= self.max_consecutive_invalid:
                paths = self._invalid_in_a_row
                folder = osp.commonpath(paths) if len(paths) > 1 else \
                    osp.dirname(paths[0])
                self._invalid_in_a_row = []
                raise OSError(
                    f'{len(paths)} images in a row could not be read under '
                    f'{folder} (e.g. {paths[-1]}: {type(e).__name__}: {e}); '
                    'does the folder hold readable images? (skip_invalid='
                    'True skips single bad files, not a folder of them)'
                ) from e
            n = LoadRGBImageFromFile.num_skipped
            if n <= self.max_warnings or n % 100 == 0:
                MMLogger.get_current_instance().warning(
                    f'{msg}; skipped ({n} unreadable files skipped so far '
                    'in this process)')
            return None
        self._invalid_in_a_row = []
        results['img'] = img
        results['img_shape'] = results['ori_shape'] = (img.height, img.width)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(skip_invalid={self.skip_invalid})'
