"""The recorded boxes locate every pixel of a view in the source image.

The source image encodes its own coordinates: red = column, green = row
(exact in uint8 for images up to 256 px). Bilinear resampling preserves a
linear ramp, so each view pixel tells where in the source it came from.
"""
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from PIL import Image

from mmpixpro.datasets import (RandomFlipWithCoord,
                               RandomResizedCropWithCoord, TwoViewsWithCoord)

H_IMG, W_IMG = 200, 240


def position_image():
    rows, cols = np.mgrid[0:H_IMG, 0:W_IMG]
    img = np.stack([cols, rows, np.zeros_like(rows)], -1).astype(np.uint8)
    return Image.fromarray(img)


def box_implied_source(coord, out_h, out_w):
    """Source (col, row) of every output pixel according to the box, reading
    the box as docs/recipe.md ("Positive pixel pairs") does: pixel u of the
    view sits at x1 + (u + 0.5) * (x2 - x1) / out_w in normalised image
    coordinates."""
    x1, y1, x2, y2 = coord
    u = np.arange(out_w) + 0.5
    v = np.arange(out_h) + 0.5
    cols = (x1 + u * (x2 - x1) / out_w) * (W_IMG - 1)
    rows = (y1 + v * (y2 - y1) / out_h) * (H_IMG - 1)
    return np.meshgrid(cols, rows)


def check_view(img, coord, margin=2):
    arr = np.asarray(img).astype(np.float64)
    out_h, out_w = arr.shape[:2]
    cols, rows = box_implied_source(coord, out_h, out_w)
    inner = (slice(margin, out_h - margin), slice(margin, out_w - margin))
    # The box convention runs through the first and last pixel centres; the
    # resampler through the crop's edges: they differ by < 1 source pixel.
    # Rounding the encoded values to uint8 adds 0.5.
    np.testing.assert_allclose(arr[..., 0][inner], cols[inner], atol=1.5)
    np.testing.assert_allclose(arr[..., 1][inner], rows[inner], atol=1.5)


@pytest.mark.parametrize('seed', range(12))
def test_crop_and_flip_boxes_locate_pixels(seed):
    np.random.seed(seed)
    pipeline = Compose([
        RandomResizedCropWithCoord(size=(48, 64), scale=(0.3, 1.)),
        RandomFlipWithCoord(prob=0.5),
    ])
    out = pipeline(dict(img=position_image()))
    coord = out['coord']
    assert out['img'].size == (64, 48)
    assert 0 <= coord.min() and coord.max() <= 1
    check_view(out['img'], coord)


def test_flip_swaps_x_and_mirrors_pixels():
    np.random.seed(0)
    crop = RandomResizedCropWithCoord(size=32, scale=(0.5, 0.5), ratio=(1, 1))
    results = crop(dict(img=position_image()))
    plain = (np.asarray(results['img']).copy(), results['coord'].copy())
    flipped = RandomFlipWithCoord(prob=1.)(results)
    x1, y1, x2, y2 = flipped['coord']
    assert x1 > x2 and (x1, x2) == (plain[1][2], plain[1][0])
    np.testing.assert_array_equal(np.asarray(flipped['img']), plain[0][:, ::-1])
    check_view(flipped['img'], flipped['coord'])


def test_box_formula_uses_first_and_last_pixel():
    # A crop of the whole image: x1 = 0, x2 = (0 + W - 1) / (W - 1) = 1.
    crop = RandomResizedCropWithCoord(size=16, scale=(1., 1.),
                                      ratio=(W_IMG / H_IMG, W_IMG / H_IMG))
    out = crop(dict(img=position_image()))
    np.testing.assert_allclose(out['coord'], [0, 0, 1, 1])


def test_two_views_carry_a_box_each():
    np.random.seed(3)
    view = [dict(type='RandomResizedCropWithCoord', size=40),
            dict(type='RandomFlipWithCoord', prob=0.5)]
    out = TwoViewsWithCoord(transforms=[view, view])(
        dict(img=position_image()))
    assert len(out['img']) == 2
    assert out['coord'].shape == (2, 4) and out['coord'].dtype == torch.float32
    for img, coord in zip(out['img'], out['coord'].numpy()):
        check_view(img, coord)


def test_tiny_images_still_crop():
    for size in [(1, 1), (3, 5), (10, 12)]:
        img = Image.new('RGB', size[::-1], (10, 20, 30))
        out = RandomResizedCropWithCoord(size=224)(dict(img=img))
        assert out['img'].size == (224, 224)
        assert np.isfinite(out['coord']).all()


@pytest.mark.parametrize('n', [1, 3])
def test_view_count_other_than_two_fails_at_build(n):
    view = [dict(type='RandomResizedCropWithCoord', size=8)]
    with pytest.raises(ValueError, match='exactly 2'):
        TwoViewsWithCoord(transforms=[view] * n)


def test_view_without_box_is_refused():
    with pytest.raises(KeyError, match='RandomResizedCropWithCoord'):
        TwoViewsWithCoord(transforms=[[], []])(dict(img=position_image()))


def test_box_of_a_known_crop_is_exact(monkeypatch):
    # Section 2: x1 = left / (W - 1), x2 = (left + w - 1) / (W - 1), the
    # centres of the crop's first and last columns (and so for rows).
    crop = RandomResizedCropWithCoord(size=16)
    monkeypatch.setattr(crop, 'crop_params', lambda h, w: (10, 20, 50, 60))
    out = crop(dict(img=position_image()))
    expected = np.array([20 / 239, 10 / 199, 79 / 239, 59 / 199], np.float32)
    np.testing.assert_array_equal(out['coord'], expected)
    flipped = RandomFlipWithCoord(prob=1.)(out)['coord']
    np.testing.assert_array_equal(flipped, expected[[2, 1, 0, 3]])
