"""Write generated labelled scenes: an unlabeled folder for pre-training and
labelled train / val scenes in the Cityscapes and VOC layouts.

    python tools/misc/make_scenes.py data/scenes --num-unlabeled 2000

writes ROOT/unlabeled (JPEGs, for UnlabeledImageFolder), ROOT/cityscapes
(leftImg8bit/, gtFine/ for mmseg's CityscapesDataset) and ROOT/VOCdevkit
(VOC2007/ with 'trainval' = the train scenes and 'test' = the val scenes).
The same seed writes the same files (mmpixpro/datasets/generated_scenes/).
Each folder written holds a marker file (.mmpixpro_generated_scenes); --force
deletes only folders that hold it.
"""
import argparse
import sys
import time

from mmpixpro.datasets.generated_scenes import (TEXTURE_MODES,
                                                write_scene_datasets)


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
    parser.add_argument('--textures', default='per_class',
                        choices=TEXTURE_MODES,
                        help="per_class: each class its own texture (the main "
                        "job's scenes); random: each object one of the six "
                        'textures whatever its class, so only the shape '
                        'gives the class')
    parser.add_argument('--force', action='store_true',
                        help='replace a set of other settings in ROOT '
                        '(its unlabeled/, cityscapes/, VOCdevkit/ are '
                        'deleted first, only those holding the marker file '
                        'the generator leaves; any other folder of those '
                        'names is refused and left alone)')
    args = parser.parse_args(argv)
    size = tuple(args.size)
    start = time.perf_counter()
    try:
        written = write_scene_datasets(
            args.root, num_unlabeled=args.num_unlabeled,
            num_train=args.num_train, num_val=args.num_val, size=size,
            seed=args.seed, formats=args.formats, force=args.force,
            textures=args.textures)
    except FileExistsError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'unlabeled: {len(written["unlabeled"])} images in '
          f'{args.root}/unlabeled')
    for name in ('cityscapes', 'voc'):
        if name in written:
            print(f'{name}: ' + ', '.join(
                f'{split} {len(files)}'
                for split, files in written[name].items()))
    print(f'{size[0]}x{size[1]} scenes, seed {args.seed}, textures '
          f'{args.textures}, '
          f'{time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
