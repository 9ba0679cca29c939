"""Keep mmcv 2.1's ``adjust_hue`` working under numpy 2.

mmcv 2.1.0 shifts the hue channel with ``np.uint8(hue_factor * 255)``. Under
numpy 1 a negative shift wrapped round (``np.uint8(-20.4) == 236``); numpy 2
raises ``OverflowError: Python integer -20 out of bounds for uint8`` instead.
mmpretrain's ``ColorJitter`` draws hue factors in ``[-hue, hue]``, so every
MMSelfSup / mmpretrain config with hue jitter (BYOL, DenseCL, MoCo v2, ...)
stops on the first negative draw. The replacement below is mmcv's function
with the shift taken modulo 256, which is what numpy 1 computed, so its pixels
are those of numpy 1; factors mmcv accepts under numpy 2 (0 to 0.5) go to
mmcv's own code unchanged.
"""
import functools

import numpy as np


def _shift_hue(hsv_hue: np.ndarray, hue_factor: float) -> np.ndarray:
    """Cyclic shift of a uint8 hue channel by ``int(hue_factor * 255)``."""
    shift = np.uint8(int(hue_factor * 255) % 256)
    with np.errstate(over='ignore'):
        return hsv_hue.astype(np.uint8) + shift


def keep_adjust_hue_working() -> bool:
    """Replace ``mmcv.adjust_hue`` where numpy refuses negative uint8 values.

    Returns whether it did (numpy 2, and not replaced yet). mmpretrain calls
    ``mmcv.adjust_hue`` through the module attribute, so the replacement
    takes effect for it whenever mmpretrain is imported.
    """
    try:
        np.uint8(-1.5)
        return False  # numpy 1 wraps round by itself
    except OverflowError:
        pass
    import cv2
    import mmcv
    import mmcv.image.photometric
    from PIL import Image
    original = mmcv.adjust_hue
    if getattr(original, '_mmpixpro_wrapped', False):
        return False

    @functools.wraps(original)
    def adjust_hue(img, hue_factor, backend=None):
        if hue_factor >= 0 or hue_factor < -0.5 or not isinstance(
                img, np.ndarray) or img.ndim not in (2, 3):
            # mmcv's own code, checks and messages: it works for these
            return original(img, hue_factor, backend=backend)
        # as mmcv's own function: its module's backend, read at import
        backend = backend or mmcv.image.photometric.imread_backend
        if backend == 'pillow':
            assert img.dtype == np.uint8, \
                'Pillow backend only support uint8 type'
            pil_image = Image.fromarray(img[..., ::-1], mode='RGB')
            h, s, v = pil_image.convert('HSV').split()
            h = Image.fromarray(_shift_hue(np.array(h), hue_factor), 'L')
            out = Image.merge('HSV', (h, s, v)).convert('RGB')
            return np.array(out, dtype=img.dtype)[..., ::-1]
        if backend != 'cv2':
            return original(img, hue_factor, backend=backend)
        dtype = img.dtype
        hsv = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_BGR2HSV_FULL)
        h, s, v = cv2.split(hsv)
        hsv = cv2.merge([_shift_hue(h, hue_factor), s, v])
        return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL).astype(dtype)

    adjust_hue._mmpixpro_wrapped = True
    mmcv.adjust_hue = adjust_hue
    mmcv.image.adjust_hue = adjust_hue
    return True
