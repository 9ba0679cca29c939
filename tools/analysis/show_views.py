"""Draw the two views of an image, their crop boxes and positive cell pairs.

    python tools/analysis/show_views.py \
        configs/pixpro/pixpro_resnet18-w16_1xb16-4e.py photo.jpg \
        --out views.png --seed 3

Runs the config's training pipeline up to its ``TwoViewsWithCoord`` step on
IMAGE (seeded), then draws the source image with both crop boxes and the two
views with their feature grids, joining the centres of every positive cell
pair (``positive_pair_mask`` with the head's ``pos_threshold``). The grid is
the view size over the backbone's output stride unless ``--grid`` is given.
"""
import argparse
import sys

from mmpixpro.visualization import draw_views_figure


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='pre-training config')
    parser.add_argument('image', help='image file')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--seed',
                        type=int,
                        default=0,
                        help='random seed of the views')
    parser.add_argument('--grid',
                        type=int,
                        nargs=2,
                        metavar=('H', 'W'),
                        help='feature grid (default: view size / stride)')
    args = parser.parse_args(argv)
    try:
        draw_views_figure(args.config, args.image, args.out, seed=args.seed,
                          grid=args.grid)
    except (OSError, ValueError, KeyError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
