"""The README's main job end to end, shrunk: both pre-training runs for 2
iterations on a few generated scenes, the probe table and the pictures."""
import json
import os.path as osp
import sys

import pytest
from PIL import Image

from tests.conftest import REPO, load_tool_main
from tests.test_engine.train_helpers import run_tool

pytestmark = pytest.mark.slow


def test_main_job_table_and_pictures(tmp_path):
    data, work = tmp_path / 'scenes', tmp_path / 'work'
    make_scenes = load_tool_main('misc', 'make_scenes.py')
    assert make_scenes([
        str(data), '--num-unlabeled', '8', '--num-train', '6', '--num-val',
        '3', '--size', '64', '64'
    ]) == 0
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'main_job.py'), '--data',
        str(data), '--work-dir',
        str(work), '--img-size', '64', '--show', '2', '--cfg-options',
        'train_cfg.max_iters=2', 'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'
    ])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # Each run draws its progress bar to the end.
    assert proc.stdout.count('2/2, ') >= 2, proc.stdout[-3000:]

    table = (work / 'results.md').read_text()
    for row in ('| random init |', '| PixPro |', '| BYOL |'):
        assert row in table
    results = json.loads((work / 'results.json').read_text())
    assert set(results) == {'random init', 'PixPro', 'BYOL'}
    for r in results.values():
        assert 0 <= r['linear']['mIoU'] <= 100
        assert 0 <= r['knn']['mIoU'] <= 100
    # The three backbones are different networks.
    assert len({r['linear']['mIoU'] for r in results.values()} |
               {r['knn']['mIoU'] for r in results.values()}) > 1

    for name in ('views', 'propagation', 'probe_predictions', 'loss_curves'):
        path = work / 'pictures' / f'{name}.png'
        with Image.open(path) as im:
            assert im.width > 64 and im.height > 64, name
    # probe_predictions: one row per shown scene (image, ground truth and
    # the three linear probes: 5 panels of 64 px, 8 px apart, 36 px titles).
    with Image.open(work / 'pictures' / 'probe_predictions.png') as im:
        assert im.size == (8 + 5 * (64 + 8), 2 * (64 + 36))
