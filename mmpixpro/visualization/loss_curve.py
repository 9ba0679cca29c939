"""Training curves from mmengine's scalar logs, one subplot per key."""
from typing import Dict, List, Sequence, Tuple

import numpy as np

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
