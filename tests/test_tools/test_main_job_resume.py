"""``tools/main_job.py --resume``: seeds whose every score an earlier run of
the same settings wrote are kept (figures and stage times), the others run;
an earlier run of other settings is refused before any stage."""
import json

import pytest

from mmpixpro.datasets.generated_scenes import write_scene_datasets
from tests.test_tools.main_job_module import load_main_job

mj = load_main_job()
BACKBONES = ('random init', 'PixPro', 'BYOL', 'DenseCL')


def complete(value):
    return dict(probe=dict(linear_mIoU=value, knn_mIoU=value),
                det=dict(AP50=value, AP=value),
                seg=dict(mIoU=value))


def settings(**changes):
    args = mj.parse_args([])
    mj.check_options(args)
    base = dict(tasks=list(args.tasks), img_size=args.img_size,
                probe_epochs=args.probe_epochs, pretrain_options={},
                det_options={}, seg_options={}, det_config=mj.DET_CONFIG,
                seg_config=mj.SEG_CONFIG)
    base.update(changes)
    return base


def earlier_run():
    """Seed 0 complete; seed 1 with a failed detection; seed 2 without its
    DenseCL segmentation; seed 3 with an empty BYOL row."""
    seeds = {s: {b: complete(10. + i) for i, b in enumerate(BACKBONES)}
             for s in '0123'}
    seeds['1']['PixPro']['det'] = dict(error='StageFailed: exited with 1')
    del seeds['2']['DenseCL']['seg']
    seeds['3']['BYOL'] = {}
    stages = [
        dict(stage='pre-training PixPro, seed 0 (x.py)', kind='pretrain',
             seconds=400., ok=True),
        dict(stage='fine-tuning detection: PixPro, seed 1', kind='det',
             seconds=100., ok=False),
        dict(stage='scenes: using data/scenes', kind='scenes', seconds=0.,
             ok=True),
    ]
    return dict(seeds=seeds, settings=settings(seeds=[0, 1, 2, 3]),
                stages=stages)


def test_only_complete_seeds_are_kept():
    old = earlier_run()
    assert mj.reusable_seeds(old, settings(), [0, 1, 2, 3, 4]) == [0]
    # A seed counts as complete for the tasks this run asks for.
    assert mj.reusable_seeds(old, settings(tasks=['probe']),
                             [0, 1, 2, 3]) == [0, 1, 2]


@pytest.mark.parametrize('key,value', [('img_size', 128),
                                       ('probe_epochs', 5),
                                       ('det_options', {'a.b': 1})])
def test_other_settings_are_refused_by_name(key, value):
    with pytest.raises(mj.OptionError, match=key):
        mj.reusable_seeds(earlier_run(), settings(**{key: value}), [0])


def test_stage_seed_reads_the_title():
    assert mj.stage_seed('pre-training PixPro, seed 12 (x.py)') == 12
    assert mj.stage_seed('dense probe (frozen): random init, seed 0') == 0
    assert mj.stage_seed('scenes: using data/scenes') is None


def test_resume_keeps_a_finished_seed_without_running_it(tmp_path, capsys):
    data, work = tmp_path / 'scenes', tmp_path / 'work'
    write_scene_datasets(str(data), num_unlabeled=2, num_train=2, num_val=2,
                         size=(32, 32))
    work.mkdir()
    old = earlier_run()
    old['seeds'] = {'0': old['seeds']['0']}
    (work / 'results.json').write_text(json.dumps(old))
    rc = mj.main(['--seeds', '0', '--resume', '--no-transfer-check',
                  '--show', '0', '--data', str(data), '--work-dir',
                  str(work)])
    out = capsys.readouterr().out
    assert rc == 0
    assert 'seed 0: every score is in' in out
    announced = [line for line in out.splitlines() if line.startswith('==>')]
    assert len(announced) == 2, announced  # the scenes, the pictures
    new = json.loads((work / 'results.json').read_text())
    assert new['seeds']['0'] == old['seeds']['0']
    kept = [t for t in new['stages'] if t.get('kept')]
    assert [t['stage'] for t in kept] == ['pre-training PixPro, seed 0 (x.py)']
    # No stage of seed 0 ran again: only the scenes and the pictures.
    ran = [t['kind'] for t in new['stages'] if not t.get('kept')]
    assert ran == ['scenes', 'pictures']


def test_resume_refuses_other_settings_before_any_stage(tmp_path, capsys):
    work = tmp_path / 'work'
    work.mkdir()
    (work / 'results.json').write_text(json.dumps(earlier_run()))
    rc = mj.main(['--resume', '--img-size', '128', '--work-dir', str(work),
                  '--data', str(tmp_path / 'none')])
    assert rc == 2
    assert 'img_size' in capsys.readouterr().err
    assert sorted(p.name for p in work.iterdir()) == ['results.json']


def test_kept_seed_files_finds_the_last_checkpoints(tmp_path):
    seed_dir = tmp_path / 'seed2'
    (seed_dir / 'pixpro').mkdir(parents=True)
    for name in ('iter_300.pth', 'iter_900.pth'):
        (seed_dir / 'pixpro' / name).write_bytes(b'')
    (seed_dir / 'det' / 'random_init').mkdir(parents=True)
    (seed_dir / 'det' / 'random_init' / 'iter_300.pth').write_bytes(b'')
    files = mj.kept_seed_files(str(tmp_path), 2)
    assert files[('2', 'PixPro', 'checkpoint')] == str(
        seed_dir / 'pixpro' / 'iter_900.pth')
    assert files[('2', 'random init', 'det')] == str(
        seed_dir / 'det' / 'random_init' / 'iter_300.pth')
    # Work dirs are named whether or not they hold a checkpoint; missing
    # checkpoints are left out.
    assert files[('2', 'BYOL', 'work_dir')] == str(seed_dir / 'byol')
    assert ('2', 'BYOL', 'checkpoint') not in files
    assert ('2', 'PixPro', 'det') not in files
