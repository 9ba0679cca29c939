"""Write generated labelled scenes: an unlabeled folder for pre-training and
labelled train / val scenes in the Cityscapes and VOC layouts.

    python tools/misc/make_scenes.py data/scenes --num-unlabeled 2000

writes ROOT/unlabeled (JPEGs, for UnlabeledImageFolder), ROOT/cityscapes
(leftImg8bit/, gtFine/ for mmseg's CityscapesDataset) and ROOT/VOCdevkit
(VOC2007/ with 'trainval' = the train scenes and 'test' = the val scenes).
The same seed writes the same files; see mmpixpro/datasets/scenes.py.
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.datasets.scenes import (write_cityscapes_scenes,  # noqa: E402
                                      write_unlabeled_folder,
                                      write_voc_scenes)


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
    args = parser.parse_args(argv)
    size = tuple(args.size)
    start = time.perf_counter()

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
    print(f'{size[0]}x{size[1]} scenes, seed {args.seed}, '
          f'{time.perf_counter() - start:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
