"""The main job's table as a chart: one panel per score, one bar per
backbone at its mean over seeds, the spread (sample standard deviation)
as an error bar and each seed's figure as a dot; a backbone without a
figure gets a labelled empty slot ('FAILED' or 'not run'), not a gap."""
from typing import Dict, Sequence, Tuple

import numpy as np

from .layout import save_png

DPI = 100
PANEL_WIDTH = 260  # px per score
HEIGHT = 320  # px
COLOURS = ('#9e9e9e', '#d62728', '#1f77b4', '#2ca02c', '#ff7f0e',
           '#9467bd')


def plot_results_chart(summary: Dict[str, Dict[str, dict]],
                       columns: Sequence[Tuple[str, str, str]],
                       title: str = '') -> np.ndarray:
    """Draw the chart.

    Args:
        summary (dict): ``{backbone: {'task/key': entry}}`` with entries
            ``dict(values, mean, std, n, missing)`` (what
            ``tools/main_job.py``'s ``summarize`` returns).
        columns (Sequence[tuple]): ``(task, key, title)`` per panel.
        title (str): figure title. Defaults to ''.

    Returns:
        np.ndarray: (HEIGHT, PANEL_WIDTH * len(columns), 3) uint8 RGB.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not columns:
        raise ValueError('plot_results_chart: no columns to draw')
    backbones = list(summary)
    fig = Figure(figsize=(PANEL_WIDTH * len(columns) / DPI, HEIGHT / DPI),
                 dpi=DPI, layout='constrained')
    axes = fig.subplots(1, len(columns), squeeze=False)[0]
    for ax, (task, key, name) in zip(axes, columns):
        col = f'{task}/{key}'
        tops = []
        for i, backbone in enumerate(backbones):
            entry = summary[backbone][col]
            colour = COLOURS[i % len(COLOURS)]
            if entry['n'] == 0:
                why = entry['missing'][0] if entry['missing'] else 'not run'
                label = 'not run' if 'not run' in why else 'FAILED'
                ax.text(i, 0, label, rotation=90, ha='center', va='bottom',
                        fontsize=8, color='#b00000')
                continue
            ax.bar(i, entry['mean'], color=colour, alpha=0.8,
                   yerr=entry['std'] if entry['std'] is not None else None,
                   capsize=4)
            ax.plot([i] * entry['n'], entry['values'], 'k.', markersize=4)
            tops.append(max(entry['values']) + (entry['std'] or 0))
        ax.set_title(name, fontsize=9)
        ax.set_xticks(range(len(backbones)))
        ax.set_xticklabels(backbones, rotation=30, ha='right', fontsize=8)
        ax.set_ylim(0, max(tops + [1.]) * 1.15)
        ax.grid(axis='y', alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def draw_results_chart(summary: Dict[str, Dict[str, dict]],
                       columns: Sequence[Tuple[str, str, str]],
                       out: str,
                       title: str = '') -> str:
    """:func:`plot_results_chart` written to ``out`` (PNG); returns the
    line the tools print."""
    return save_png(plot_results_chart(summary, columns, title), out)
