"""The README's main job end to end, shrunk (the ``main_job`` fixture):
both pre-training runs for 2 iterations on a few generated scenes, the
probe table, the pictures and the transfer check."""
import json

import pytest
import torch
from PIL import Image

pytestmark = pytest.mark.slow


def test_main_job_table_and_pictures(main_job):
    work, stdout = main_job['work'], main_job['stdout']
    # Each run draws its progress bar to the end.
    assert stdout.count('2/2, ') >= 2, stdout[-3000:]

    table = (work / 'results.md').read_text()
    for row in ('| random init |', '| PixPro |', '| BYOL |'):
        assert row in table
    results = json.loads((work / 'results.json').read_text())
    assert set(results) == {'random init', 'PixPro', 'BYOL'}
    # Smoke test of the probe: after 2 pre-training steps on 8 scenes the
    # three backbones are barely trained: the ordering the README reports
    # for the full job (PixPro above random init) does not hold at this
    # size: here the linear probe puts PixPro above random init (7.5 vs 4.1
    # mIoU) but kNN puts it below (10.3 vs 17.0). The scores are not known;
    # the probe's numbers are checked against loops and a second code path
    # in tests/test_evaluation.
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


def test_main_job_transfer_check(main_job):
    """The released recipe's checkpoint made by the main job, extracted and
    loaded into each downstream config; the chain the downstream tests then
    train and evaluate (tests/test_downstream/conftest.py)."""
    work = main_job['work']
    checks = json.loads((work / 'transfer_check.json').read_text())
    assert len(checks) == 6
    backbone = torch.load(work / 'pixpro_r50_backbone.pth',
                          weights_only=True)['state_dict']
    ckpt = torch.load(work / 'pixpro_r50' / 'epoch_1.pth',
                      weights_only=False)
    # The extracted file is the online encoder's ResNet-50, every tensor.
    online = {k[len('backbone.'):]: v for k, v in ckpt['state_dict'].items()
              if k.startswith('backbone.')}
    assert len(backbone) == len(online) == 318
    for key, value in online.items():
        assert torch.equal(backbone[key], value), key
    for config, modules in checks.items():
        if '-c4_' in config:
            # stages 1-3 in the backbone, res5 in the box head, whose extra
            # norm is the only layer left to its own init
            assert modules['backbone']['filled'] == 258, config
            head = modules['roi_head.shared_head']
            assert head['filled'] == 60, config
            assert {k.split('.')[0] for k in head['own_init']} == {'norm'}
        else:
            assert modules == {'backbone': dict(filled=318, own_init=[])}
    assert 'Transfer check' in (work / 'results.md').read_text()
