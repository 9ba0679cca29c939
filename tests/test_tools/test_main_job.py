"""The README's main job end to end, shrunk (the ``main_job`` fixture): the
three pre-training runs, extraction, probe and both fine-tunes of the four
backbones and the control for 2 iterations each on a few generated scenes,
the table, the pictures and the transfer check."""
import json

import pytest
import torch
from PIL import Image

from tests.test_tools.main_job_module import load_main_job

mj = load_main_job()
pytestmark = pytest.mark.slow
BACKBONES = {'random init', 'PixPro', 'BYOL', 'DenseCL', mj.CONTROL}


def test_main_job_table_and_pictures(main_job):
    work, stdout = main_job['work'], main_job['stdout']
    # Every stage announced with the time left; each training run draws
    # its progress bar to the end (3 pre-trainings, 8 fine-tunes).
    # scenes; random init's file, 3 tasks; per method pre-training,
    # extraction, 3 tasks; the control's training, 3 tasks; pictures;
    # transfer check
    assert stdout.count('min left)') == 1 + 4 + 3 * 5 + 4 + 2, stdout[-3000:]
    assert stdout.count('2/2, ') >= 3 + 1 + 10, stdout[-3000:]

    results = json.loads((work / 'results.json').read_text())
    assert set(results['seeds']) == {'0'}
    per_backbone = results['seeds']['0']
    assert set(per_backbone) == BACKBONES
    for name, tasks in per_backbone.items():
        assert set(tasks) == {'probe', 'det', 'seg'}, name
        for task, figures in tasks.items():
            assert 'error' not in figures, (name, task, figures)
            for value in figures.values():
                assert 0 <= value <= 100, (name, task, figures)
    # Smoke test: 2 pre-training steps teach nothing; the scores are not
    # known. The probe's and the evaluators' numbers are checked against
    # loops and fixed predictions in tests/test_evaluation. The four backbones are different networks:
    assert len({t['probe']['linear_mIoU']
                for t in per_backbone.values()}) > 1
    assert all(t['ok'] for t in results['stages'])

    table = (work / 'results.md').read_text()
    for name in BACKBONES:
        assert f'| {name} |' in table
    assert '| FAILED' not in table and 'not run |' not in table
    assert 'one seed only' in table

    pictures = work / 'pictures'
    for name in ('views', 'propagation', 'loss_curves', 'detections',
                 'results_chart'):
        with Image.open(pictures / f'{name}.png') as im:
            assert im.width > 64 and im.height > 64, name
    # detections: ground truth and one row per backbone, 2 scenes of 64 px
    # drawn at 128 px (panels 8 px apart, 20 px titles).
    with Image.open(pictures / 'detections.png') as im:
        assert im.size == (8 + 2 * (128 + 8), 6 * (8 + 20 + 128 + 8))
    assert len(list((pictures / 'probe' / 'seed0').glob('*.png'))) == 5 * 2
    assert 'the control' in table and f'| {mj.CONTROL} |' in table


def test_control_is_random_init_trained_on_the_other_scenes(main_job):
    """The control starts from the seed's random init file and trains the
    segmentation miniature on the train scenes the fine-tune does not use
    (the fixture's fine-tune takes the first 4 of 6)."""
    from mmengine.config import Config
    work = main_job['work']
    run = work / 'seed0' / 'control'
    cfg = Config.fromfile(next(run.glob('*/vis_data/config.py')))
    assert cfg.train_dataloader.dataset.indices == [4, 5]
    assert cfg.train_cfg.max_iters == 2
    random_init = torch.load(work / 'seed0' / 'backbones' /
                             'random_init.pth')['state_dict']
    control = torch.load(work / 'seed0' / 'backbones' /
                         'control_supervised.pth')['state_dict']
    assert set(control) == set(random_init)
    # Trained: 2 steps at lr 0.1 move the stem; a BN statistic moves too.
    assert not torch.equal(control['conv1.weight'],
                           random_init['conv1.weight'])
    assert not torch.equal(control['bn1.running_mean'],
                           random_init['bn1.running_mean'])


def test_data_workers_run_at_the_lowest_priority(main_job):
    """Each pre-training and fine-tune the job ran used ``worker_nice=19``
    (the config it ran, as mmengine saved it); the figures do not depend on
    it (tests/test_engine/test_worker_priority.py)."""
    from mmengine.config import Config
    seed0 = main_job['work'] / 'seed0'
    runs = [seed0 / m for m in ('pixpro', 'byol', 'densecl')]
    finetunes = sorted(seed0.glob('det/*')) + sorted(seed0.glob('seg/*'))
    finetunes.append(seed0 / 'control')
    assert len(finetunes) == 11  # 5 backbones x 2 tasks, and the control
    for run in runs + finetunes:
        cfg = Config.fromfile(next(run.glob('*/vis_data/config.py')))
        assert cfg.train_dataloader.worker_nice == 19, run
        if run in finetunes:
            assert cfg.val_dataloader.worker_nice == 19, run


def test_main_job_transfer_check(main_job):
    """The released recipe's checkpoint made by the main job, extracted and
    loaded into each downstream config; the chain the downstream tests then
    train and evaluate (the ``pretrained`` fixture in tests/conftest.py)."""
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


def test_random_init_file_is_the_probe_random_backbone(main_job):
    """'random init' is the scenes configs' backbone as every pre-training
    starts from it: the file equals the probe's seeded 'random' build."""
    from mmpixpro.evaluation import build_backbone
    mj = load_main_job()
    saved = torch.load(main_job['work'] / 'seed0' / 'backbones' /
                       'random_init.pth', weights_only=True)['state_dict']
    built, _ = build_backbone(mj.PIXPRO_CONFIG, 'random', seed=0)
    state = built.state_dict()
    assert set(saved) == set(state)
    for key, value in state.items():
        assert torch.equal(saved[key], value), key
