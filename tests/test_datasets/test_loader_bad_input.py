"""The image loader turns EXIF-rotated photos upright (as mmpretrain's
loader does) and, with skip_invalid, stops with one error naming the
folder when nothing in it can be read."""
import os

import numpy as np
import pytest
from PIL import Image

from mmpixpro.datasets.transforms.loading import LoadRGBImageFromFile


def test_exif_orientation_is_applied(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (20, 30, 3), np.uint8)  # H 20, W 30
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / 'rotated.jpg'
    Image.fromarray(pixels).save(path, exif=exif, quality=100)
    out = LoadRGBImageFromFile().transform(dict(img_path=str(path)))
    assert out['img_shape'] == (30, 20)  # upright: the width became height
    # The same as turning the stored pixels clockwise (an independent
    # computation), up to JPEG noise.
    stored = np.asarray(Image.open(path).convert('RGB'), np.float64)
    upright = np.rot90(stored, k=-1)
    assert np.abs(np.asarray(out['img'], np.float64) - upright).mean() < 1


def test_only_invalid_files_give_one_error_naming_the_folder(tmp_path):
    folder = tmp_path / 'broken'
    os.makedirs(folder)
    for i in range(60):
        (folder / f'{i}.jpg').write_bytes(b'not an image')
    load = LoadRGBImageFromFile(skip_invalid=True)
    with pytest.raises(OSError) as info:
        for i in range(60):
            assert load.transform(dict(img_path=str(folder / f'{i}.jpg'))) \
                is None
    assert str(folder) in str(info.value)
    assert '50 images in a row' in str(info.value)


def test_a_few_invalid_files_are_still_skipped(tmp_path):
    good = tmp_path / 'good.png'
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(good)
    bad = tmp_path / 'bad.jpg'
    bad.write_bytes(b'x')
    load = LoadRGBImageFromFile(skip_invalid=True, max_consecutive_invalid=3)
    for _ in range(5):  # never 3 bad in a row
        assert load.transform(dict(img_path=str(bad))) is None
        assert load.transform(dict(img_path=str(bad))) is None
        assert load.transform(dict(img_path=str(good))) is not None
