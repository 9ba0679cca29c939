"""Training curves from mmengine's scalar logs, one subplot per key.

:func:`draw_loss_curves` finds and reads the logs of work dirs and draws
them (what tools/analysis/plot_loss_curve.py writes).
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import print_log

from .layout import save_png

FIG_WIDTH = 640  # px
ROW_HEIGHT = 240  # px per key
DPI = 100


def curve(records: Sequence[Dict], key: str) -> Tuple[np.ndarray, np.ndarray]:
    """``(steps, values)`` of the records that hold ``key``; the step is the
    record's ``'step'`` (mmengine's iteration count), else its index."""
    steps, values = [], []
    for index, record in enumerate(records):
        if key in record:
            steps.append(record.get('step', record.get('iter', index)))
            values.append(record[key])
    return np.asarray(steps, np.float64), np.asarray(values, np.float64)


def plot_loss_curves(runs: Sequence[Tuple[str, Sequence[Dict]]],
                     keys: Sequence[str],
                     title: str = '') -> np.ndarray:
    """Plot each key against iteration, one subplot per key, one line per run.

    Args:
        runs: ``(name, records)`` per run; records are the dicts of
            ``vis_data/scalars.json``, one per logging step.
        keys: scalar names (``'loss'``, ``'loss_pixel'``, ``'lr'`` ...).
        title: figure title.
    Returns:
        (ROW_HEIGHT * len(keys), FIG_WIDTH, 3) uint8 RGB image.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not keys:
        raise ValueError('plot_loss_curves: no keys to plot')
    fig = Figure(figsize=(FIG_WIDTH / DPI, ROW_HEIGHT * len(keys) / DPI),
                 dpi=DPI,
                 layout='constrained')
    axes = fig.subplots(len(keys), 1, squeeze=False)[:, 0]
    for ax, key in zip(axes, keys):
        for name, records in runs:
            steps, values = curve(records, key)
            if len(steps):
                ax.plot(steps, values, label=name, linewidth=1)
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        if len(runs) > 1:
            ax.legend(fontsize='small')
    axes[-1].set_xlabel('iteration')
    if title:
        fig.suptitle(title)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def loss_keys(runs: Sequence[Tuple[str, Sequence[Dict]]]) -> List[str]:
    """Every key starting with 'loss' in any run, 'loss' first."""
    keys = {
        k
        for _, records in runs
        for r in records
        for k in r if k.startswith('loss')
    }
    return sorted(keys, key=lambda k: (k != 'loss', k))


# ------------------------------------------------------- from work dirs


def find_scalars(run: str) -> str:
    """The scalars file of a run: ``run`` itself if it is a file, else the
    newest ``<timestamp>/vis_data/scalars.json`` (or ``<timestamp>.json``)
    of a work dir, or the ``scalars.json`` of a ``<timestamp>`` or
    ``vis_data`` dir."""
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


def draw_loss_curves(work_dirs: Sequence[str],
                     keys: Optional[Sequence[str]],
                     out: str,
                     title: Optional[str] = None,
                     logger=None) -> str:
    """Overlay the logged ``keys`` (default: :func:`loss_keys`) of each run
    (a work dir or a scalars file: :func:`find_scalars`) and write the
    picture to ``out`` (PNG); return ``out``. The title defaults to the run
    names joined by ' vs '.

    What was read from each run and the written file are reported to
    ``logger`` (mmengine's ``print_log``: None prints them). Raises
    ``FileNotFoundError`` for a run without scalars, ``ValueError`` for a
    broken scalars file or a key no run logged (nothing written).
    """
    runs = []
    for run in work_dirs:
        path = find_scalars(run)
        runs.append((run_name(path), read_scalars(path)))
        print_log(f'{run}: {len(runs[-1][1])} records from {path}', logger)
    keys = keys or loss_keys(runs)
    found = {k for _, records in runs for r in records for k in r}
    missing = [k for k in keys if k not in found]
    if not keys or missing:
        raise ValueError(f'no run logged {missing or "any loss"}; logged '
                         f'keys: {sorted(found)}')
    title = title or ' vs '.join(name for name, _ in runs)
    picture = plot_loss_curves(runs, keys, title)
    print_log(save_png(picture, out), logger)
    return out
