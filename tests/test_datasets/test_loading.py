import os

import numpy as np
import pytest
from PIL import Image

from mmpixpro.datasets import LoadRGBImageFromFile, UnlabeledImageFolder
from mmpixpro.datasets.generated_scenes import write_unlabeled_folder


def load(path, **kwargs):
    return LoadRGBImageFromFile(**kwargs)(dict(img_path=str(path)))


def rgb(path):
    out = load(path)
    img = out['img']
    assert img.mode == 'RGB'
    assert out['img_shape'] == (img.height, img.width)
    return np.asarray(img)


def test_modes_become_three_channel_rgb(tmp_path):
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    Image.fromarray(gray, 'L').save(tmp_path / 'gray.png')
    np.testing.assert_array_equal(rgb(tmp_path / 'gray.png'),
                                  np.repeat(gray[..., None], 3, -1))

    rgba = np.zeros((3, 4, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 7
    Image.fromarray(rgba, 'RGBA').save(tmp_path / 'rgba.png')
    np.testing.assert_array_equal(rgb(tmp_path / 'rgba.png')[..., 0], 200)

    pal = Image.new('P', (4, 3))
    pal.putpalette([0, 0, 0, 10, 250, 30] + [0] * 762)
    pal.putpixel((1, 1), 1)
    pal.info['transparency'] = 0
    pal.save(tmp_path / 'palette.png', transparency=0)
    out = rgb(tmp_path / 'palette.png')
    np.testing.assert_array_equal(out[1, 1], [10, 250, 30])

    deep = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000 + 1000)
    Image.fromarray(deep).save(tmp_path / 'deep16.png')
    assert Image.open(tmp_path / 'deep16.png').mode.startswith('I')
    out = rgb(tmp_path / 'deep16.png')
    expected = np.round(deep / 257.).astype(np.uint8)
    np.testing.assert_array_equal(out[..., 1], expected)


@pytest.mark.parametrize('kind', ['truncated', 'text', 'empty'])
def test_unreadable_file_names_itself(tmp_path, kind):
    path = tmp_path / f'bad_{kind}.jpg'
    if kind == 'truncated':
        Image.new('RGB', (64, 64), (1, 2, 3)).save(path, quality=95)
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 2])
    elif kind == 'text':
        path.write_text('not an image at all')
    else:
        path.write_bytes(b'')
    with pytest.raises(OSError, match=f'bad_{kind}.jpg'):
        load(path)
    before = LoadRGBImageFromFile.num_skipped
    assert load(path, skip_invalid=True) is None
    assert LoadRGBImageFromFile.num_skipped == before + 1


def test_dataset_skips_bad_files_when_asked(tmp_path):
    write_unlabeled_folder(str(tmp_path), num=3, size=(20, 24))
    (tmp_path / 'part_00' / 'broken.jpg').write_text('garbage')
    pipeline = [dict(type='LoadRGBImageFromFile', skip_invalid=True)]
    ds = UnlabeledImageFolder(data_root=str(tmp_path), pipeline=pipeline)
    assert len(ds) == 4
    broken = [i for i in range(4)
              if ds.get_data_info(i)['img_path'].endswith('broken.jpg')][0]
    out = ds[broken]  # draws another sample instead
    assert not out['img_path'].endswith('broken.jpg')

    strict = UnlabeledImageFolder(
        data_root=str(tmp_path),
        pipeline=[dict(type='LoadRGBImageFromFile')])
    with pytest.raises(OSError, match='broken.jpg'):
        strict[broken]


def test_folder_is_searched_recursively(tmp_path):
    paths = write_unlabeled_folder(str(tmp_path / 'train'), num=6,
                                   size=(10, 10), num_subfolders=3)
    (tmp_path / 'train' / 'notes.txt').write_text('ignored')
    ds = UnlabeledImageFolder(data_root=str(tmp_path), data_prefix='train')
    found = sorted(ds.get_data_info(i)['img_path'] for i in range(len(ds)))
    assert found == sorted(paths)


def test_missing_or_empty_folder_names_the_path(tmp_path):
    missing = tmp_path / 'nowhere'
    with pytest.raises(FileNotFoundError, match='nowhere'):
        UnlabeledImageFolder(data_root=str(missing))
    empty = tmp_path / 'empty'
    os.makedirs(empty / 'sub')
    (empty / 'sub' / 'readme.txt').write_text('no images here')
    with pytest.raises(FileNotFoundError, match='no image in .*empty'):
        UnlabeledImageFolder(data_root=str(empty))
