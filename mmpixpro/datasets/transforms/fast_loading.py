"""JPEG decoding through simplejpeg (libjpeg-turbo straight into a numpy
array), for the fast path's workers. Without simplejpeg it is
``LoadRGBImageFromFile``."""
from typing import Optional

from mmengine.fileio import get
from PIL import Image

from mmpixpro.registry import TRANSFORMS
from .loading import LoadRGBImageFromFile

try:
    import simplejpeg
except ImportError:  # a dependency; without it PIL decodes
    simplejpeg = None


# JPEG colour spaces that simplejpeg turns into the same RGB as PIL.
_SAME_AS_PIL = ('YCbCr', 'Gray', 'RGB')


def over_pil_pixel_limit(height: int, width: int) -> bool:
    """Whether PIL's decompression-bomb check would act on an image of this
    size: above ``Image.MAX_IMAGE_PIXELS`` it warns, above twice that it
    refuses (``DecompressionBombError``). None turns the check off, as in
    PIL. Read at call time, so a changed limit counts."""
    limit = Image.MAX_IMAGE_PIXELS
    return limit is not None and height * width > limit


@TRANSFORMS.register_module()
class LoadRGBImageTurbo(LoadRGBImageFromFile):
    """:class:`LoadRGBImageFromFile` with a faster JPEG decoder.

    A baseline or progressive JPEG without EXIF data is decoded by
    simplejpeg into an HWC uint8 RGB array (the same pixels as PIL's
    decoder: both use libjpeg-turbo with its accurate DCT and upsampling);
    ``RandomResizedCropWithCoord`` then converts only the crop to PIL.
    Every other file (PNG, CMYK or YCCK JPEG, EXIF-tagged, unreadable,
    larger than PIL's ``Image.MAX_IMAGE_PIXELS``), and every file when
    simplejpeg is not installed, goes through :class:`LoadRGBImageFromFile`
    unchanged, with its ``skip_invalid`` behaviour and error messages.

    The size is read from the JPEG header before anything is decoded, so a
    small file that declares a huge image (a decompression bomb) meets PIL's
    own check: a warning above the limit, an error naming the file above
    twice the limit, as on the PIL path.
    """

    def __init__(self,
                 skip_invalid: bool = False,
                 backend_args: Optional[dict] = None) -> None:
        super().__init__(skip_invalid=skip_invalid, backend_args=backend_args)

    def transform(self, results: dict) -> Optional[dict]:
        if simplejpeg is None:
            return super().transform(results)
        try:
            data = get(results['img_path'], self.backend_args)
        except Exception:  # noqa: BLE001 - the parent reports it
            return super().transform(results)
        # EXIF-tagged files (orientation) keep the parent's handling.
        if data[:2] == b'\xff\xd8' and b'Exif' not in data[:65536]:
            try:
                height, width, colorspace, _ = simplejpeg.decode_jpeg_header(
                    data)
                # CMYK / YCCK JPEGs: PIL converts them differently; PIL's
                # decompression-bomb check (from the header) decides on
                # huge ones.
                if (colorspace not in _SAME_AS_PIL
                        or over_pil_pixel_limit(height, width)):
                    raise ValueError('left to PIL')
                img = simplejpeg.decode_jpeg(data, colorspace='RGB')
            except Exception:  # noqa: BLE001 - CMYK, corrupt: parent decides
                img = None
            if img is not None:
                results['img'] = img
                results['img_shape'] = results['ori_shape'] = img.shape[:2]
                return results
        return super().transform(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(skip_invalid={self.skip_invalid},'
                f' decoder={"simplejpeg" if simplejpeg else "PIL"})')
