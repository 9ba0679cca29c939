"""Write generated labelled scenes: an unlabeled folder for pre-training and
labelled train / val scenes in the Cityscapes and VOC layouts.

    python tools/misc/make_scenes.py data/scenes --num-unlabeled 2000

writes ROOT/unlabeled (JPEGs, for UnlabeledImageFolder), ROOT/cityscapes
(leftImg8bit/, gtFine/ for mmseg's CityscapesDataset) and ROOT/VOCdevkit
(VOC2007/ with 'trainval' = the train scenes and 'test' = the val scenes).
The same seed writes the same files; see mmpixpro/testing/scenes.py.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.testing.scenes import (write_cityscapes_scenes,  # noqa: E402
                                      write_unlabeled_folder,
                                      write_voc_scenes)


MANIFEST = 'scenes.json'
SUBFOLDERS = ('unlabeled', 'cityscapes', 'VOCdevkit')


def check_existing_set(root: str, settings: dict, force: bool) -> None:
    """Refuse to write into a folder that holds scenes of other settings
    (a mixed set would go unnoticed: files of the old, larger set would
    stay); with ``force``, delete the old set first. The settings of a set
    are in ROOT/scenes.json; a set without it counts as other settings."""
    present = [d for d in SUBFOLDERS if osp.isdir(osp.join(root, d))]
    if not present:
        return
    manifest = osp.join(root, MANIFEST)
    old = None
    if osp.isfile(manifest):
        with open(manifest) as f:
            old = json.load(f)
    if old == settings:
        return  # the same set again: the same files
    if not force:
        differ = ('no scenes.json records its settings' if old is None else
                  'settings differ: ' + ', '.join(
                      f'{k} {old.get(k)} -> {v}' for k, v in settings.items()
                      if old.get(k) != v))
        raise FileExistsError(
            f'{root} already holds a scene set ({", ".join(present)}) of '
            f'other settings ({differ}); pass --force to delete it and write '
            'the new one, or choose another folder')
    for d in present:
        shutil.rmtree(osp.join(root, d))
    if osp.isfile(manifest):
        os.remove(manifest)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('root', help='output folder (e.g. data/scenes)')
    parser.add_argument('--num-unlabeled', type=int, default=2000)
    parser.add_argument('--num-train', type=int, default=300)
    parser.add_argument('--num-val', type=int, default=100)
    parser.add_argument('--size', type=int, nargs=2, default=(128, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--formats', nargs='*', default=['cityscapes', 'voc'],
                        choices=['cityscapes', 'voc'],
                        help='labelled layouts to write (none: unlabeled only)')
    parser.add_argument('--force', action='store_true',
                        help='replace a set of other settings in ROOT '
                        '(its unlabeled/, cityscapes/, VOCdevkit/ are '
                        'deleted first)')
    args = parser.parse_args(argv)
    size = tuple(args.size)
    start = time.perf_counter()
    settings = dict(num_unlabeled=args.num_unlabeled,
                    num_train=args.num_train, num_val=args.num_val,
                    size=list(size), seed=args.seed,
                    formats=sorted(args.formats))
    try:
        check_existing_set(args.root, settings, args.force)
    except FileExistsError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1

    paths = write_unlabeled_folder(osp.join(args.root, 'unlabeled'),
                                   args.num_unlabeled, size, args.seed)
    print(f'unlabeled: {len(paths)} images in {args.root}/unlabeled')
    if 'cityscapes' in args.formats:
        written = write_cityscapes_scenes(
            osp.join(args.root, 'cityscapes'),
            dict(train=args.num_train, val=args.num_val), size, args.seed)
        print('cityscapes: ' + ', '.join(
            f'{split} {len(p)}' for split, p in written.items()))
    if 'voc' in args.formats:
        written = write_voc_scenes(
            osp.join(args.root, 'VOCdevkit'),
            dict(trainval=args.num_train, test=args.num_val), size, args.seed)
        print('voc: ' + ', '.join(
            f'{split} {len(ids)}' for split, ids in written.items()))
    with open(osp.join(args.root, MANIFEST), 'w') as f:
        json.dump(settings, f, indent=1)
    print(f'{size[0]}x{size[1]} scenes, seed {args.seed}, '
          f'{time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
