"""Draw PixPro's propagation weights of chosen feature pixels as heat maps.

    python tools/analysis/show_propagation.py \
        configs/pixpro/pixpro_resnet18-w16_1xb16-4e.py \
        work_dirs/pixpro_resnet18-w16_1xb16-4e/epoch_4.pth photo.jpg \
        --out propagation.png --pixels 3,3 1,5

Builds the model of CONFIG, loads CHECKPOINT (ours, or a released one;
strict) or, for the literal ``random``, initialises it from ``--seed``;
resizes IMAGE to the view size (the config's crop size, or ``--size``),
runs the online encoder (backbone and projector) and draws, for each chosen
pixel ``y,x`` of the feature map, its row of ``PPM.similarity`` over the
view: ``s(x_i, x_j) = max(cos, clamp_min) ^ gamma``, colour scale 0 to 1.
"""
import argparse
import sys
from typing import Tuple

from mmpixpro.converters import CheckpointError, unsafe_load
from mmpixpro.converters.command_line import add_unsafe_load_argument
from mmpixpro.visualization import draw_propagation_figure


def parse_pixel(text: str) -> Tuple[int, int]:
    try:
        y, x = (int(v) for v in text.split(','))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected a feature pixel as y,x (e.g. 3,4), got {text!r}')
    return y, x


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='pre-training config')
    parser.add_argument('checkpoint',
                        help="pre-training checkpoint, or 'random'")
    parser.add_argument('image', help='image file')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--pixels',
                        type=parse_pixel,
                        nargs='+',
                        metavar='Y,X',
                        help='feature pixels to show '
                        '(default: the centre and the four quarter points)')
    parser.add_argument('--size',
                        type=int,
                        help='view size N (N x N; default: the crop size)')
    parser.add_argument('--seed',
                        type=int,
                        default=0,
                        help="seed of the 'random' initialisation")
    add_unsafe_load_argument(parser)
    args = parser.parse_args(argv)
    try:
        with unsafe_load(args.unsafe_load):
            draw_propagation_figure(args.config, args.checkpoint, args.image,
                                    args.out, pixels=args.pixels,
                                    size=args.size, seed=args.seed)
    except (CheckpointError, OSError, RuntimeError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
