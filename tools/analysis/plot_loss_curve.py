"""Plot training losses (or any logged scalar) against iteration.

    python tools/analysis/plot_loss_curve.py \
        work_dirs/pixpro_resnet18-w16_1xb16-4e_demo work_dirs/byol_demo \
        --out loss.png --keys loss lr

Each RUN is a work dir (its newest ``<timestamp>/vis_data/scalars.json`` is
read), a ``<timestamp>`` or ``vis_data`` dir, or a JSON-lines scalars file
(``scalars.json`` or ``<timestamp>.json``). Several RUNs are overlaid. The
default keys are every logged key starting with 'loss'.
"""
import argparse
import glob
import json
import os.path as osp
import sys
from typing import Dict, List


sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.visualization import (loss_keys, plot_loss_curves,  # noqa: E402
                                    save_png)


def find_scalars(run: str) -> str:
    """The scalars file of RUN; the newest timestamp dir of a work dir."""
    if osp.isfile(run):
        return run
    if not osp.isdir(run):
        raise FileNotFoundError(f'{run} does not exist')
    candidates = [
        osp.join(run, 'scalars.json'),
        osp.join(run, 'vis_data', 'scalars.json')
    ]
    # mmengine names run dirs by timestamp (YYYYMMDD_HHMMSS): newest last.
    for stamp in sorted(glob.glob(osp.join(run, '*', 'vis_data')),
                        reverse=True):
        candidates += [
            osp.join(stamp, 'scalars.json'),
            osp.join(stamp,
                     osp.basename(osp.dirname(stamp)) + '.json')
        ]
    for path in candidates:
        if osp.isfile(path):
            return path
    raise FileNotFoundError(
        f'no scalars found in {run}: expected <work_dir>/<timestamp>/'
        'vis_data/scalars.json (written by mmengine\'s LocalVisBackend) or a '
        'scalars file given directly')


def read_scalars(path: str) -> List[Dict]:
    """The records of a JSON-lines scalars file (blank lines skipped)."""
    records = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f'{path}, line {number}: not JSON '
                                     f'({e.msg})') from None
    if not records:
        raise ValueError(f'{path} holds no scalars')
    return records


def run_name(path: str) -> str:
    """The work dir's name for ``<work_dir>/<timestamp>/vis_data/x.json``,
    else the name of the file's folder."""
    folder = osp.dirname(osp.abspath(path))
    if osp.basename(folder) == 'vis_data':
        folder = osp.dirname(osp.dirname(folder))
    return osp.basename(folder)


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

    runs = []
    try:
        for run in args.runs:
            path = find_scalars(run)
            runs.append((run_name(path), read_scalars(path)))
            print(f'{run}: {len(runs[-1][1])} records from {path}')
    except (OSError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    keys = args.keys or loss_keys(runs)
    found = {k for _, records in runs for r in records for k in r}
    missing = [k for k in keys if k not in found]
    if not keys or missing:
        print(
            f'error: no run logged {missing or "any loss"}; logged keys: '
            f'{sorted(found)}',
            file=sys.stderr)
        return 1

    title = args.title or ' vs '.join(name for name, _ in runs)
    picture = plot_loss_curves(runs, keys, title)
    print(save_png(picture, args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
