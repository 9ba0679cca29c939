"""tools/misc/make_scenes.py: what it writes and prints, and it never leaves
a mixed set: a folder holding scenes of other settings is refused unless
--force, which deletes the old set first."""
import os

from PIL import Image

from tests.utils import load_tool_main

make_scenes = load_tool_main('misc', 'make_scenes.py')
SMALL = ['--num-train', '2', '--num-val', '1', '--size', '32', '32']


def test_cli(tmp_path, capsys):
    root = tmp_path / 'scenes'
    assert make_scenes([str(root), '--num-unlabeled', '5', '--num-train', '3',
                        '--num-val', '2', '--size', '64', '80']) == 0
    out = capsys.readouterr().out
    assert 'unlabeled: 5' in out
    assert 'cityscapes: train 3, val 2' in out
    assert 'voc: trainval 3, test 2' in out
    assert len(list((root / 'unlabeled').rglob('*.jpg'))) == 5
    assert len(list((root / 'cityscapes' / 'gtFine' / 'val').rglob(
        '*_gtFine_labelTrainIds.png'))) == 2
    voc = root / 'VOCdevkit' / 'VOC2007'
    assert len(list((voc / 'Annotations').glob('*.xml'))) == 5
    with Image.open(next((voc / 'JPEGImages').glob('*.jpg'))) as img:
        assert img.size == (80, 64)


def count(root):
    return len(list((root / 'unlabeled').rglob('*.jpg')))


def listing(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, files in os.walk(root) for f in files)


def test_other_counts_are_refused_then_replaced(tmp_path, capsys):
    root = tmp_path / 'scenes'
    assert make_scenes([str(root), '--num-unlabeled', '6'] + SMALL) == 0
    first = listing(root)
    # The same settings again: allowed, the same files.
    assert make_scenes([str(root), '--num-unlabeled', '6'] + SMALL) == 0
    assert listing(root) == first
    capsys.readouterr()
    # Other counts: refused, nothing touched.
    assert make_scenes([str(root), '--num-unlabeled', '3'] + SMALL) == 1
    err = capsys.readouterr().err
    assert str(root) in err and '--force' in err and 'num_unlabeled 6 -> 3' \
        in err
    assert listing(root) == first
    # --force: the old set is gone, only the new one is there.
    assert make_scenes([str(root), '--num-unlabeled', '3', '--force'] +
                       SMALL) == 0
    assert count(root) == 3


def test_a_set_without_settings_is_refused(tmp_path, capsys):
    root = tmp_path / 'old'
    os.makedirs(root / 'unlabeled')
    (root / 'unlabeled' / 'x.jpg').write_bytes(b'old')
    assert make_scenes([str(root), '--num-unlabeled', '2'] + SMALL) == 1
    assert 'not a generated scene folder' in capsys.readouterr().err
    assert (root / 'unlabeled' / 'x.jpg').read_bytes() == b'old'


def test_random_textures_set(tmp_path, capsys):
    """--textures random writes the 'random' scenes, records the mode in
    scenes.json, and a per_class set asked into that folder is refused as
    a set of other settings."""
    import json

    import numpy as np

    from mmpixpro.datasets.generated_scenes import scene
    root = tmp_path / 'scenes'
    assert make_scenes([str(root), '--num-unlabeled', '2', '--textures',
                        'random'] + SMALL) == 0
    assert 'textures random' in capsys.readouterr().out
    assert json.loads((root / 'scenes.json').read_text())['textures'] == \
        'random'
    label = root / 'cityscapes' / 'gtFine' / 'train' / 'scenes' / \
        'scenes_000001_gtFine_labelTrainIds.png'
    image = root / 'cityscapes' / 'leftImg8bit' / 'train' / 'scenes' / \
        'scenes_000001_leftImg8bit.png'
    expected = scene(0, 1, (32, 32), 'train', 'random')
    np.testing.assert_array_equal(np.asarray(Image.open(image)),
                                  expected.image)
    np.testing.assert_array_equal(np.asarray(Image.open(label)),
                                  expected.label)
    assert not np.array_equal(expected.image, scene(0, 1, (32, 32)).image)
    first = listing(root)
    assert make_scenes([str(root), '--num-unlabeled', '2'] + SMALL) == 1
    assert 'textures random -> per_class' in capsys.readouterr().err
    assert listing(root) == first


def test_a_setting_left_at_its_default_is_the_same_set(tmp_path):
    """A scenes.json that names the default texture mode, which the writer
    leaves out, records the same set: writing it again is allowed."""
    import json
    root = tmp_path / 'scenes'
    assert make_scenes([str(root), '--num-unlabeled', '2'] + SMALL) == 0
    manifest = root / 'scenes.json'
    recorded = json.loads(manifest.read_text())
    assert 'textures' not in recorded
    manifest.write_text(json.dumps(dict(recorded, textures='per_class')))
    first = listing(root)
    assert make_scenes([str(root), '--num-unlabeled', '2'] + SMALL) == 0
    assert listing(root) == first
