"""make_scenes.py --force deletes only folders the scene generator wrote,
recognised by the marker file it leaves in each; a user's own unlabeled/
photos or VOCdevkit/ of the same name are refused by name and left as they
were, with or without --force."""
import os
import shutil

from mmpixpro.datasets.generated_scenes import SCENES_MARKER, write_scene_datasets
from tests.utils import load_tool_main

make_scenes = load_tool_main('misc', 'make_scenes.py')
SMALL = ['--num-train', '2', '--num-val', '1', '--size', '32', '32']


def listing(root):
    return sorted((os.path.relpath(os.path.join(d, f), root),
                   open(os.path.join(d, f), 'rb').read())
                  for d, _, files in os.walk(root) for f in files)


def own_photos(folder):
    os.makedirs(folder / 'holiday')
    (folder / 'holiday' / 'beach.jpg').write_bytes(b'my photo')


def test_every_written_folder_holds_the_marker(tmp_path):
    write_scene_datasets(str(tmp_path), num_unlabeled=2, num_train=1,
                         num_val=1, size=(32, 32))
    for folder in ('unlabeled', 'cityscapes', 'VOCdevkit'):
        assert (tmp_path / folder / SCENES_MARKER).is_file()


def test_force_refuses_a_users_photo_folder(tmp_path, capsys):
    """The report's case: ROOT/unlabeled is the user's own photos."""
    own_photos(tmp_path / 'unlabeled')
    before = listing(tmp_path)
    for extra in ([], ['--force']):
        assert make_scenes([str(tmp_path), '--num-unlabeled', '2'] + SMALL +
                           extra) == 1
        err = capsys.readouterr().err
        assert str(tmp_path / 'unlabeled') in err
        assert 'not a generated scene folder' in err
        assert listing(tmp_path) == before


def test_force_refuses_a_foreign_folder_beside_a_generated_set(
        tmp_path, capsys):
    """A generated set (no VOC layout) plus the user's own VOCdevkit/: even
    with --force and other settings nothing is deleted, the generated
    folders included, and the foreign one is named."""
    assert make_scenes([str(tmp_path), '--num-unlabeled', '3',
                        '--formats', 'cityscapes'] + SMALL) == 0
    own_photos(tmp_path / 'VOCdevkit')
    before = listing(tmp_path)
    capsys.readouterr()
    assert make_scenes([str(tmp_path), '--num-unlabeled', '2', '--force'] +
                       SMALL) == 1
    err = capsys.readouterr().err
    assert str(tmp_path / 'VOCdevkit') in err
    assert str(tmp_path / 'unlabeled') not in err
    assert listing(tmp_path) == before


def test_force_replaces_a_generated_set(tmp_path):
    assert make_scenes([str(tmp_path), '--num-unlabeled', '4'] + SMALL) == 0
    assert make_scenes([str(tmp_path), '--num-unlabeled', '2', '--force'] +
                       SMALL) == 0
    assert len(list((tmp_path / 'unlabeled').rglob('*.jpg'))) == 2
    assert (tmp_path / 'unlabeled' / SCENES_MARKER).is_file()


def test_settings_file_does_not_vouch_for_a_folder(tmp_path, capsys):
    """A scenes.json of the same settings beside a folder without the
    marker (the user swapped in their own photos): refused too."""
    assert make_scenes([str(tmp_path), '--num-unlabeled', '2'] + SMALL) == 0
    shutil.rmtree(tmp_path / 'unlabeled')
    own_photos(tmp_path / 'unlabeled')
    capsys.readouterr()
    assert make_scenes([str(tmp_path), '--num-unlabeled', '2', '--force'] +
                       SMALL) == 1
    assert str(tmp_path / 'unlabeled') in capsys.readouterr().err
    assert (tmp_path / 'unlabeled' / 'holiday' / 'beach.jpg').is_file()
