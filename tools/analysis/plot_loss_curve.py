"""Plot training losses (or any logged scalar) against iteration.

    python tools/analysis/plot_loss_curve.py \
        work_dirs/main_job/pixpro work_dirs/main_job/byol \
        --out loss.png --keys loss lr

Each RUN is a work dir (its newest ``<timestamp>/vis_data/scalars.json`` is
read), a ``<timestamp>`` or ``vis_data`` dir, or a JSON-lines scalars file
(``scalars.json`` or ``<timestamp>.json``). Several RUNs are overlaid. The
default keys are every logged key starting with 'loss'.
"""
import argparse
import sys

from mmpixpro.visualization import draw_loss_curves


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('runs',
                        nargs='+',
                        metavar='RUN',
                        help='work dir or scalars file; several are overlaid')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--keys',
                        nargs='+',
                        help="scalars to plot (default: every 'loss*' key)")
    parser.add_argument('--title', help='figure title (default: run names)')
    args = parser.parse_args(argv)
    try:
        draw_loss_curves(args.runs, args.keys, args.out, title=args.title)
    except (OSError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
