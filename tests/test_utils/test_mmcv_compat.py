"""mmcv 2.1's ``adjust_hue`` under numpy 2: negative hue factors, which
mmpretrain's ColorJitter draws half the time, give numpy 1's pixels instead
of an OverflowError. The reference shifts the hue channel in Python integers,
modulo 256, through PIL's and OpenCV's own HSV conversions."""
import cv2
import mmcv
import numpy as np
import pytest
from PIL import Image

import mmpixpro  # noqa: F401  (installs the replacement)


def image(seed=0):
    return np.random.default_rng(seed).integers(0, 256, (17, 23, 3),
                                                dtype=np.uint8)


def reference(img, factor, backend):
    shift = int(factor * 255)  # truncation toward zero, as numpy 1's cast
    if backend == 'pillow':
        h, s, v = Image.fromarray(img[..., ::-1], 'RGB').convert('HSV').split()
        h = np.array(h).astype(np.int64)
        h = Image.fromarray(((h + shift) % 256).astype(np.uint8), 'L')
        out = Image.merge('HSV', (h, s, v)).convert('RGB')
        return np.array(out)[..., ::-1]
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV_FULL).astype(np.int64)
    hsv[..., 0] = (hsv[..., 0] + shift) % 256
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR_FULL)


@pytest.mark.parametrize('backend', ['pillow', 'cv2'])
@pytest.mark.parametrize('factor', [-0.5, -0.1, -0.0399, -0.001, 0.07, 0.5])
def test_adjust_hue_matches_modular_shift(backend, factor):
    img = image()
    np.testing.assert_array_equal(
        mmcv.adjust_hue(img, factor, backend=backend),
        reference(img, factor, backend))


def test_positive_factors_stay_mmcvs_own():
    # The replacement hands factors numpy 2 accepts to mmcv's own code.
    original = mmcv.adjust_hue.__wrapped__
    img = image(1)
    for factor in (0.0, 0.2, 0.5):
        np.testing.assert_array_equal(
            mmcv.adjust_hue(img, factor, backend='pillow'),
            original(img, factor, backend='pillow'))
    with pytest.raises(ValueError, match='not in'):
        mmcv.adjust_hue(img, -0.6)


def test_mmpretrain_colorjitter_survives_negative_hue():
    from mmpretrain.datasets.transforms import ColorJitter
    jitter = ColorJitter(hue=0.5, backend='pillow')
    results = [jitter(dict(img=image(i)))['img'] for i in range(20)]
    assert all(r.shape == (17, 23, 3) for r in results)
