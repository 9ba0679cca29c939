"""Draw labelled subsets of COCO train2017 for the 1 % / 10 % benchmarks.

    python tools/dataset_converters/coco_subset.py \
        data/coco/annotations/instances_train2017.json data/coco/semi_supervised \
        --percents 1 10 --seeds 1 2 3 4 5

writes ``OUT_DIR/instances_train2017.{seed}@{percent}.json`` for every seed
and percent (the naming the Unbiased-Teacher / SoftTeacher configs use) and
prints a table of images, annotated images, boxes, crowd boxes and
categories per file. OUT_DIR defaults to ``data/coco/semi_supervised``, where
``configs/benchmarks/mmdetection/coco/mask-rcnn_r50-fpn_{1,10}pct_coco.py``
read. Each file holds round(p% of all images) images, drawn without
replacement from every image of ANN_FILE with ``numpy.random.default_rng(seed)``
as prefixes of one permutation per seed (1 % is inside 10 %), with all their
annotations. Existing files are kept unless ``--force``.
"""
import argparse
import os.path as osp
import sys

from mmpixpro.converters.coco_subset import (CocoFormatError,
                                             load_coco_instances,
                                             subset_stats, write_subsets)

DEFAULT_OUT_DIR = 'data/coco/semi_supervised'
COLUMNS = ('file', 'seed', 'percent', 'images', 'annotated', 'boxes',
           'crowd', 'categories')


def format_table(rows):
    cells = [COLUMNS] + [tuple(str(r[c]) for c in COLUMNS) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    return '\n'.join('  '.join(c.rjust(w) if i else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths)))
                     for row in cells)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('ann_file', help='COCO instances file '
                        '(annotations/instances_train2017.json)')
    parser.add_argument('out_dir', nargs='?', default=DEFAULT_OUT_DIR,
                        help=f'output folder (default {DEFAULT_OUT_DIR})')
    parser.add_argument('--percents', type=float, nargs='+', default=[1, 10],
                        help='percentages of the images (default 1 10)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[1],
                        help='seeds, one file per seed and percent '
                        '(default 1)')
    parser.add_argument('--force', action='store_true',
                        help='overwrite existing output files')
    args = parser.parse_args(argv)
    if any(s < 0 for s in args.seeds):
        parser.error('seeds must be >= 0')
    if any(not 0 < p <= 100 for p in args.percents):
        parser.error('percents must be in (0, 100]')
    percents = list(dict.fromkeys(args.percents))
    seeds = list(dict.fromkeys(args.seeds))
    stem = osp.splitext(osp.basename(args.ann_file))[0]
    try:
        data = load_coco_instances(args.ann_file)
        rows = write_subsets(data, args.out_dir, percents, seeds,
                             stem=stem, force=args.force)
    except FileExistsError as e:
        print(f'error: {e} (--force overwrites); nothing written',
              file=sys.stderr)
        return 1
    except (CocoFormatError, FileNotFoundError, ValueError) as e:
        print(f'error: {args.ann_file}: {e}; nothing written',
              file=sys.stderr)
        return 1
    source = dict(file=osp.basename(args.ann_file), seed='-', percent=100,
                  **subset_stats(data))
    for row in rows:
        row['file'] = osp.basename(row.pop('path'))
        row['percent'] = f'{row["percent"]:g}'
    print(format_table([source] + rows))
    print(f'wrote {len(rows)} file(s) to {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
