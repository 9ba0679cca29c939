"""The fast JPEG decoder meets PIL's decompression-bomb limit as the PIL
path does: a header larger than ``Image.MAX_IMAGE_PIXELS`` warns, one above
twice the limit is refused naming the file, before anything is decoded.
PIL's own open + load on the same file is the reference."""
import io
import warnings

import numpy as np
import pytest
from PIL import Image

from mmpixpro.datasets.transforms import LoadRGBImageFromFile
from mmpixpro.datasets.transforms.fast_loading import LoadRGBImageTurbo

simplejpeg = pytest.importorskip('simplejpeg')

H, W = 48, 64


def write_jpeg(path, h=H, w=W):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (h, w, 3), np.uint8)).save(
        path, quality=90)
    return str(path)


def with_header_size(data: bytes, h: int, w: int) -> bytes:
    """The JPEG ``data`` with the size in its baseline frame header (SOF0)
    replaced: a small file that declares an h x w image."""
    sof = data.index(b'\xff\xc0')
    out = bytearray(data)
    out[sof + 5:sof + 9] = h.to_bytes(2, 'big') + w.to_bytes(2, 'big')
    return bytes(out)


def outcome(load):
    """('error', message), ('warn', pixels) or ('ok', pixels) of load()."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        try:
            img = load()
        except (Image.DecompressionBombError, OSError) as e:
            return 'error', str(e)
    bomb = any(issubclass(w.category, Image.DecompressionBombWarning)
               for w in seen)
    return ('warn' if bomb else 'ok'), np.asarray(img)


def pil_open_load(path):
    img = Image.open(path)
    img.load()
    return img.convert('RGB')


def fast(path):
    return LoadRGBImageTurbo()(dict(img_path=path))['img']


def pil_path(path):
    return LoadRGBImageFromFile()(dict(img_path=path))['img']


# PIL's rule for 48 x 64 = 3072 pixels: above the limit a warning, above
# twice the limit an error.
@pytest.mark.parametrize('limit,expected', [(None, 'ok'), (3072, 'ok'),
                                            (3071, 'warn'), (2000, 'warn'),
                                            (1536, 'warn'), (1535, 'error'),
                                            (100, 'error')])
def test_fast_decoder_does_what_pil_does(tmp_path, monkeypatch, limit,
                                         expected):
    path = write_jpeg(tmp_path / 'a.jpg')
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', limit)
    reference = outcome(lambda: pil_open_load(path))
    assert reference[0] == expected
    for load in (fast, pil_path):
        got = outcome(lambda: load(path))
        assert got[0] == expected, (load.__name__, got)
        if expected == 'error':
            assert path in got[1] and 'DecompressionBombError' in got[1]
        else:
            np.testing.assert_array_equal(got[1], reference[1])


def test_small_file_with_a_huge_header_is_refused_before_decoding(
        tmp_path, monkeypatch):
    """A 48 x 64 JPEG whose header says 4800 x 6400: refused from the
    header under a limit of 10 million pixels (so it is not decoded)."""
    data = with_header_size(
        open(write_jpeg(tmp_path / 'small.jpg'), 'rb').read(), 4800, 6400)
    assert simplejpeg.decode_jpeg_header(data)[:2] == (4800, 6400)
    path = tmp_path / 'bomb.jpg'
    path.write_bytes(data)
    monkeypatch.setattr(Image, 'MAX_IMAGE_PIXELS', 10_000_000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(data))
    decoded = []
    real = simplejpeg.decode_jpeg
    monkeypatch.setattr(simplejpeg, 'decode_jpeg',
                        lambda *a, **k: decoded.append(1) or real(*a, **k))
    with pytest.raises(OSError, match='DecompressionBombError') as info:
        LoadRGBImageTurbo()(dict(img_path=str(path)))
    assert str(path) in str(info.value) and not decoded


def test_default_limit_16000_square(tmp_path):
    """The report's case: a 16000 x 16000 header (256 M pixels, over twice
    PIL's default 89.5 M) in a file of a few kB."""
    data = with_header_size(
        open(write_jpeg(tmp_path / 'small.jpg'), 'rb').read(), 16000, 16000)
    path = tmp_path / 'bomb.jpg'
    path.write_bytes(data)
    assert len(data) < 20_000
    with pytest.raises(OSError, match='DecompressionBombError'):
        LoadRGBImageTurbo()(dict(img_path=str(path)))
