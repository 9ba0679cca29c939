"""The labelled scene generator and its writers, checked against plain numpy,
PIL and xml.etree reading of what it produced."""
import hashlib
import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from mmpixpro.datasets.generated_scenes import (OBJECT_CLASSES, SCENE_CLASSES,
                                      SEG_METAINFO, VOC_METAINFO,
                                      generate_scene, scene,
                                      write_cityscapes_scenes,
                                      write_scene_datasets,
                                      write_unlabeled_folder,
                                      write_voc_scenes)

SIZE = (96, 128)


def test_same_seed_same_scene_and_streams_differ():
    a, b = scene(3, 7, SIZE), scene(3, 7, SIZE)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.label, b.label)
    assert [(i.label, i.box) for i in a.instances] == \
        [(i.label, i.box) for i in b.instances]
    assert a.image.shape == SIZE + (3, ) and a.image.dtype == np.uint8
    assert a.label.shape == SIZE and a.label.dtype == np.uint8

    others = [scene(4, 7, SIZE), scene(3, 8, SIZE),
              scene(3, 7, SIZE, 'val'), scene(3, 7, SIZE, 'unlabeled')]
    for other in others:
        assert not np.array_equal(a.image, other.image)
    # VOC's split names are the same streams as train / val.
    np.testing.assert_array_equal(scene(3, 7, SIZE, 'trainval').image, a.image)
    with pytest.raises(ValueError, match='split'):
        scene(3, 7, SIZE, 'training')

    rng = np.random.default_rng(0)
    c, d = generate_scene(rng, SIZE), generate_scene(rng, SIZE)
    assert not np.array_equal(c.image, d.image)


def bounding_box(mask):
    ys, xs = np.nonzero(mask)
    return (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)


def test_labels_match_instances():
    seen = set()
    for i in range(50):
        s = scene(0, i, SIZE)
        rebuilt = np.zeros(SIZE, np.uint8)
        covered = np.zeros(SIZE, bool)
        for inst in s.instances:
            assert 1 <= inst.label < len(SCENE_CLASSES)
            assert inst.mask.shape == SIZE and inst.mask.dtype == bool
            assert inst.mask.sum() >= 20
            assert tuple(inst.box) == bounding_box(inst.mask)
            assert not (covered & inst.mask).any(), 'masks overlap'
            covered |= inst.mask
            rebuilt[inst.mask] = inst.label
        ignored = s.label == 255
        assert not (ignored & covered).any()
        rebuilt[ignored] = 255
        np.testing.assert_array_equal(s.label, rebuilt)
        assert len(s.instances) <= 6
        seen |= set(np.unique(s.label).tolist())
    assert seen == set(range(len(SCENE_CLASSES))) | {255}, \
        'a class, or an ignored remnant, is missing from 50 scenes'


def texture_features(image, mask):
    """(log of mean gradient magnitude over intensity std, orientation
    coherence of the region's structure tensor) inside the mask shrunk by two
    pixels, so the object's outline does not count."""
    grey = image.astype(np.float64) @ [0.299, 0.587, 0.114]
    inner = mask.copy()
    for _ in range(2):
        shrunk = inner.copy()
        shrunk[1:] &= inner[:-1]
        shrunk[:-1] &= inner[1:]
        shrunk[:, 1:] &= inner[:, :-1]
        shrunk[:, :-1] &= inner[:, 1:]
        inner = shrunk
    if inner.sum() < 20:
        return None
    gx, gy = np.zeros_like(grey), np.zeros_like(grey)
    gx[:, 1:-1] = (grey[:, 2:] - grey[:, :-2]) / 2
    gy[1:-1] = (grey[2:] - grey[:-2]) / 2
    x, y = gx[inner], gy[inner]
    ratio = np.mean(np.abs(x) + np.abs(y)) / (grey[inner].std() + 1e-3)
    jxx, jyy, jxy = (x * x).mean(), (y * y).mean(), (x * y).mean()
    coherence = np.hypot(jxx - jyy, 2 * jxy) / (jxx + jyy + 1e-9)
    return np.log(ratio), coherence


def per_instance(split, num):
    texture, colour, labels = [], [], []
    for i in range(num):
        s = scene(0, i, (128, 128), split)
        for inst in s.instances:
            features = texture_features(s.image, inst.mask)
            if features is not None:
                texture.append(features)
                colour.append(s.image[inst.mask].mean(0))
                labels.append(inst.label)
    return np.array(texture), np.array(colour), np.array(labels)


def nearest_mean_accuracy(x_train, y_train, x_test, y_test):
    mean, std = x_train.mean(0), x_train.std(0)
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    classes = np.unique(y_train)
    centres = np.stack([x_train[y_train == c].mean(0) for c in classes])
    dist = ((x_test[:, None] - centres[None])**2).sum(-1)
    return (classes[dist.argmin(1)] == y_test).mean()


def test_texture_gives_the_class_and_colour_does_not():
    """A nearest-mean classifier on two hand-computed texture statistics
    tells the six classes apart on held-out scenes; on mean colour it does
    no better than chance (1/6)."""
    tex_train, col_train, y_train = per_instance('train', 30)
    tex_test, col_test, y_test = per_instance('val', 30)
    assert set(y_train) == set(y_test) == set(range(1, 7))
    assert nearest_mean_accuracy(tex_train, y_train, tex_test, y_test) > 0.8
    assert nearest_mean_accuracy(col_train, y_train, col_test, y_test) < 0.3


def digest(path):
    return hashlib.md5(open(path, 'rb').read()).hexdigest()


def test_cityscapes_files(tmp_path):
    written = write_cityscapes_scenes(tmp_path / 'a', dict(train=3, val=2),
                                      SIZE, seed=1)
    assert {k: len(v) for k, v in written.items()} == dict(train=3, val=2)
    for split, num in (('train', 3), ('val', 2)):
        for i in range(num):
            s = scene(1, i, SIZE, split)
            name = tmp_path / 'a' / '{}' / split / 'scenes' / \
                f'scenes_{i:06d}_{{}}.png'
            img = Image.open(str(name).format('leftImg8bit', 'leftImg8bit'))
            seg = Image.open(
                str(name).format('gtFine', 'gtFine_labelTrainIds'))
            assert img.mode == 'RGB' and seg.mode == 'L'
            np.testing.assert_array_equal(np.asarray(img), s.image)
            np.testing.assert_array_equal(np.asarray(seg), s.label)

    # More scenes, same first three files, byte for byte.
    more = write_cityscapes_scenes(tmp_path / 'b', dict(train=5), SIZE, 1)
    assert [digest(p) for p in written['train']] == \
        [digest(p) for p in more['train'][:3]]


def test_voc_files(tmp_path):
    written = write_voc_scenes(tmp_path, dict(trainval=3, test=2), SIZE,
                               seed=2)
    base = tmp_path / 'VOC2007'
    for split, num in (('trainval', 3), ('test', 2)):
        ids = (base / 'ImageSets' / 'Main' / f'{split}.txt').read_text()
        assert ids.split() == written[split] == \
            [f'{split}_{i:06d}' for i in range(num)]
        assert (base / 'ImageSets' / 'Segmentation' /
                f'{split}.txt').read_text() == ids
        for i, image_id in enumerate(written[split]):
            s = scene(2, i, SIZE, split)
            root = ET.parse(base / 'Annotations' / f'{image_id}.xml').getroot()
            assert root.find('filename').text == f'{image_id}.jpg'
            assert int(root.find('size/width').text) == SIZE[1]
            assert int(root.find('size/height').text) == SIZE[0]
            objects = [(o.find('name').text, int(o.find('difficult').text),
                        tuple(int(o.find(f'bndbox/{k}').text)
                              for k in ('xmin', 'ymin', 'xmax', 'ymax')))
                       for o in root.findall('object')]
            expected = []
            for inst in s.instances:
                x1, y1, x2, y2 = bounding_box(inst.mask)
                expected.append((OBJECT_CLASSES[inst.label - 1], 0,
                                 (x1 + 1, y1 + 1, x2, y2)))
            assert objects == expected

            seg = Image.open(base / 'SegmentationClass' / f'{image_id}.png')
            assert seg.mode == 'P'
            np.testing.assert_array_equal(np.asarray(seg), s.label)
            img = Image.open(base / 'JPEGImages' / f'{image_id}.jpg')
            assert img.format == 'JPEG' and img.size == SIZE[::-1]
            error = np.abs(np.asarray(img, np.float64) - s.image).mean()
            assert error < 6, 'JPEG is not the scene'
    assert VOC_METAINFO['classes'] == OBJECT_CLASSES == SCENE_CLASSES[1:]


def test_unlabeled_folder(tmp_path):
    paths = write_unlabeled_folder(tmp_path, 6, SIZE, seed=0)
    found = sorted(str(p) for p in tmp_path.rglob('*.jpg'))
    assert sorted(paths) == found and len(found) == 6
    assert len(os.listdir(tmp_path)) > 1  # sub-folders
    for i, path in enumerate(paths):
        with Image.open(path) as img:
            assert img.size == SIZE[::-1] and img.mode == 'RGB'
            error = np.abs(np.asarray(img, np.float64) -
                           scene(0, i, SIZE, 'unlabeled').image).mean()
            assert error < 6
    again = write_unlabeled_folder(tmp_path / 'again', 6, SIZE, seed=0)
    assert [digest(p) for p in paths] == [digest(p) for p in again]


def test_scene_datasets_folder(tmp_path):
    """One call writes the three layouts with the counts asked for, the
    same files as each writer alone, and records its settings."""
    root = tmp_path / 'scenes'
    written = write_scene_datasets(str(root), num_unlabeled=5, num_train=3,
                                   num_val=2, size=(64, 80), seed=1)
    assert sorted(os.listdir(root)) == ['VOCdevkit', 'cityscapes',
                                        'scenes.json', 'unlabeled']
    with open(root / 'scenes.json') as f:
        assert json.load(f) == dict(num_unlabeled=5, num_train=3, num_val=2,
                                    size=[64, 80], seed=1,
                                    formats=['cityscapes', 'voc'])
    alone = tmp_path / 'alone'
    unlabeled = write_unlabeled_folder(alone / 'u', 5, (64, 80), seed=1)
    assert [digest(p) for p in written['unlabeled']] == \
        [digest(p) for p in unlabeled]
    cityscapes = write_cityscapes_scenes(alone / 'c', dict(train=3, val=2),
                                         (64, 80), seed=1)
    for split, paths in cityscapes.items():
        assert [digest(p) for p in written['cityscapes'][split]] == \
            [digest(p) for p in paths]
    assert written['voc'] == dict(
        trainval=[f'trainval_{i:06d}' for i in range(3)],
        test=[f'test_{i:06d}' for i in range(2)])
    write_voc_scenes(alone / 'v', dict(trainval=3, test=2), (64, 80), seed=1)
    for folder in ('JPEGImages', 'SegmentationClass', 'Annotations'):
        got = sorted((root / 'VOCdevkit' / 'VOC2007' / folder).iterdir())
        want = sorted((alone / 'v' / 'VOC2007' / folder).iterdir())
        assert [p.name for p in got] == [p.name for p in want]
        assert [digest(p) for p in got] == [digest(p) for p in want]


def test_scene_datasets_unlabeled_only(tmp_path):
    written = write_scene_datasets(str(tmp_path), num_unlabeled=2,
                                   size=(32, 32), formats=())
    assert list(written) == ['unlabeled']
    assert sorted(os.listdir(tmp_path)) == ['scenes.json', 'unlabeled']
    with pytest.raises(ValueError, match='coco'):
        write_scene_datasets(str(tmp_path / 'x'), formats=['coco'])
    assert not (tmp_path / 'x').exists()


def test_scene_datasets_of_other_settings_are_refused(tmp_path):
    """A set of other settings raises and is left as it was; ``force``
    replaces it, so no file of the old set stays."""
    small = dict(num_train=2, num_val=1, size=(32, 32))
    write_scene_datasets(str(tmp_path), num_unlabeled=6, **small)
    before = sorted(str(p) for p in tmp_path.rglob('*'))
    with pytest.raises(FileExistsError, match='num_unlabeled 6 -> 3'):
        write_scene_datasets(str(tmp_path), num_unlabeled=3, **small)
    assert sorted(str(p) for p in tmp_path.rglob('*')) == before
    write_scene_datasets(str(tmp_path), num_unlabeled=3, force=True, **small)
    assert len(list((tmp_path / 'unlabeled').rglob('*.jpg'))) == 3


def test_openmmlab_datasets_list_the_files(tmp_path):
    """mmseg's CityscapesDataset (and BaseSegDataset with our class names)
    and mmdet's VOCDataset read the layouts."""
    mmseg_datasets = pytest.importorskip('mmseg.datasets')
    mmdet_datasets = pytest.importorskip('mmdet.datasets')
    write_cityscapes_scenes(tmp_path, dict(train=3), SIZE, seed=0)
    write_voc_scenes(tmp_path, dict(trainval=3), SIZE, seed=0)

    prefix = dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train')
    cityscapes = mmseg_datasets.CityscapesDataset(
        data_root=str(tmp_path), data_prefix=prefix, pipeline=[])
    seg = mmseg_datasets.BaseSegDataset(
        data_root=str(tmp_path), data_prefix=prefix, metainfo=SEG_METAINFO,
        img_suffix='_leftImg8bit.png',
        seg_map_suffix='_gtFine_labelTrainIds.png', pipeline=[])
    assert seg.metainfo['classes'] == SCENE_CLASSES
    for dataset in (cityscapes, seg):
        assert len(dataset) == 3
        info = dataset.get_data_info(0)
        assert info['label_map'] is None
        np.testing.assert_array_equal(
            np.asarray(Image.open(info['seg_map_path'])),
            scene(0, 0, SIZE).label)

    det = mmdet_datasets.VOCDataset(
        data_root=str(tmp_path), metainfo=VOC_METAINFO,
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'), pipeline=[])
    assert len(det) == 3
    info = det.get_data_info(0)
    assert os.path.isfile(info['img_path'])
    labels = [inst.label - 1 for inst in scene(0, 0, SIZE).instances]
    assert [i['bbox_label'] for i in info['instances']] == labels


def test_default_textures_draw_the_scenes_as_before():
    """Adding the 'random' texture mode left the default draws alone: the
    first five scenes of each stream hash as they did before it existed
    (digest taken from the generator of d185968), so scene sets and figures
    written earlier stay valid."""
    h = hashlib.md5()
    for split in ('unlabeled', 'train', 'val'):
        for i in range(5):
            s = scene(0, i, (128, 128), split)
            h.update(s.image.tobytes())
            h.update(s.label.tobytes())
    assert h.hexdigest() == '4fa5f4194d0934063a712d3d046b8866'
    np.testing.assert_array_equal(
        scene(0, 3, SIZE, 'train', 'per_class').image, scene(0, 3, SIZE).image)


def texture_indices(monkeypatch, textures, num=40):
    """(class, texture index) of every visible object of ``num`` train
    scenes, read back from the pixels: each of the six textures replaced by
    a constant k / 5 and every colour pair by (black, white), so an object's
    pixels are 51 k."""
    from mmpixpro.datasets.generated_scenes import generator
    monkeypatch.setattr(generator, '_TEXTURES', tuple(
        (lambda k: lambda rng, a, b, r, unit: np.full(a.shape, k / 5))(k)
        for k in range(6)))
    monkeypatch.setattr(generator, '_colour_pair', lambda rng, contrast:
                        np.array([[0, 0, 0], [255, 255, 255]], np.float32))
    pairs = []
    for i in range(num):
        s = scene(0, i, (128, 128), 'train', textures)
        for inst in s.instances:
            values = s.image[inst.mask]
            assert (values == values[0]).all()  # one constant texture
            pairs.append((inst.label, int(round(values[0, 0] / 51))))
    return pairs


def test_texture_modes_choose_the_texture(monkeypatch):
    """per_class: the texture index is the class's own (class - 1) on every
    object; random: every class shows every texture, so the texture says
    nothing of the class."""
    pairs = texture_indices(monkeypatch, 'per_class')
    assert all(texture == label - 1 for label, texture in pairs)
    pairs = texture_indices(monkeypatch, 'random')
    assert {label for label, _ in pairs} == set(range(1, 7))
    for label in range(1, 7):
        seen = {texture for l, texture in pairs if l == label}
        assert seen == set(range(6)), f'class {label} showed only {seen}'
    own = np.mean([texture == label - 1 for label, texture in pairs])
    assert own < 0.35  # 1/6 expected; per_class gives 1


def test_random_textures_do_not_give_the_class():
    """On 'random' scenes the nearest-mean classifier of the texture test
    above falls to chance: only the shape is left to give the class."""
    def features(split):
        texture, labels = [], []
        for i in range(30):
            s = scene(0, i, (128, 128), split, 'random')
            for inst in s.instances:
                f = texture_features(s.image, inst.mask)
                if f is not None:
                    texture.append(f)
                    labels.append(inst.label)
        return np.array(texture), np.array(labels)

    (x_train, y_train), (x_test, y_test) = features('train'), features('val')
    assert nearest_mean_accuracy(x_train, y_train, x_test, y_test) < 0.3
    with pytest.raises(ValueError, match='textures'):
        scene(0, 0, SIZE, 'train', 'per_object')
