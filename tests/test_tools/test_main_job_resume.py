"""``tools/main_job.py --resume``: every score of an earlier run whose
settings and configs are this run's is kept (figures, stage times, the
backbone file it came from); what a changed setting or config touches runs
again, and nothing else."""
import itertools
import json

import pytest

from mmpixpro.datasets.generated_scenes import write_scene_datasets
from tests.test_tools.main_job_module import load_main_job

mj = load_main_job()
BACKBONES = ('random init', 'PixPro', 'BYOL', 'DenseCL')
TASKS = ('probe', 'det', 'seg')
ARGS = mj.parse_args(['--seeds', '0', '1', '2', '3'])
mj.check_options(ARGS)
SETTINGS = mj.run_settings(ARGS)


def complete(value):
    return dict(probe=dict(linear_mIoU=value, knn_mIoU=value),
                det=dict(AP50=value, AP=value),
                seg=dict(mIoU=value))


def settings(**changes):
    return json.loads(json.dumps(dict(SETTINGS, **changes)))


def earlier_run(**changes):
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
    return dict(seeds=seeds, settings=settings(**changes), stages=stages)


# Every score of earlier_run() that holds figures, found by a plain loop.
ALL_FIGURES = {
    (seed, b, t)
    for seed, b, t in itertools.product(range(4), BACKBONES, TASKS)
    if (seed, b, t) not in {(1, 'PixPro', 'det'), (2, 'DenseCL', 'seg')}
    and not (seed == 3 and b == 'BYOL')
}


def test_every_score_with_figures_is_kept_under_the_same_settings():
    kept, reasons = mj.kept_scores(earlier_run(), settings())
    assert set(kept) == ALL_FIGURES and reasons == []
    assert kept[(2, 'BYOL', 'seg')] == dict(mIoU=12.)
    # Only the seeds and tasks this run asks for.
    kept, _ = mj.kept_scores(earlier_run(),
                             settings(seeds=[1], tasks=['probe']))
    assert set(kept) == {k for k in ALL_FIGURES
                         if k[0] == 1 and k[2] == 'probe'}


def digests_with(config, digest='0' * 16):
    return dict(SETTINGS['config_digests'], **{config: digest})


@pytest.mark.parametrize(
    'change,runs_again',
    [(dict(img_size=128), lambda b, t: t == 'probe'),
     (dict(probe_epochs=5), lambda b, t: t == 'probe'),
     (dict(det_options={'a.b': 1}), lambda b, t: t == 'det'),
     (dict(config_digests=digests_with(mj.SEG_CONFIG)),
      lambda b, t: t == 'seg'),
     (dict(config_digests=digests_with(mj.DENSECL_CONFIG)),
      lambda b, t: b == 'DenseCL'),
     # random init is the PixPro config's backbone before training
     (dict(config_digests=digests_with(mj.PIXPRO_CONFIG)),
      lambda b, t: b in ('random init', 'PixPro')),
     (dict(pretrain_options={'x': 1}), lambda b, t: True),
     (dict(config_digests={}), lambda b, t: True),
     (dict(scenes=dict(SETTINGS['scenes'], textures='random')),
      lambda b, t: True),
     (dict(scenes=dict(SETTINGS['scenes'], num_unlabeled=500)),
      lambda b, t: True)],
    ids=['img_size', 'probe_epochs', 'det_options', 'seg config',
         'DenseCL config', 'PixPro config', 'pretrain_options',
         'no digests recorded', 'scene textures', 'scene count'])
def test_a_changed_setting_runs_again_only_what_depends_on_it(
        change, runs_again):
    kept, reasons = mj.kept_scores(earlier_run(**change), settings())
    assert set(kept) == {k for k in ALL_FIGURES if not runs_again(*k[1:])}
    assert reasons, 'the scores that run again are announced'


def test_the_scene_set_is_recorded_and_compared(tmp_path):
    """run_settings records the --data folder's scenes.json (the default
    set where there is none yet); a scenes.json that leaves out a setting
    equals one that gives its default; a run recorded before scene sets
    were keeps its scores and says so; a changed set reruns every score
    and names the change."""
    assert SETTINGS['scenes'] == dict(
        num_unlabeled=2000, num_train=300, num_val=100, size=[128, 128],
        seed=0, formats=['cityscapes', 'voc'])  # make_scenes' defaults
    root = tmp_path / 'scenes'
    write_scene_datasets(str(root), num_unlabeled=2, num_train=1, num_val=1,
                         size=(16, 16), textures='random')
    args = mj.parse_args(['--data', str(root)])
    recorded = mj.run_settings(args)['scenes']
    assert recorded == json.loads((root / 'scenes.json').read_text())
    assert recorded['textures'] == 'random' and recorded['num_train'] == 1

    explicit = dict(SETTINGS['scenes'], textures='per_class')
    kept, reasons = mj.kept_scores(earlier_run(scenes=explicit), settings())
    assert set(kept) == ALL_FIGURES and reasons == []

    old = earlier_run()
    del old['settings']['scenes']
    kept, reasons = mj.kept_scores(old, settings())
    assert set(kept) == ALL_FIGURES
    assert reasons == ['the earlier run recorded no scene set; its scores '
                       'are kept as scores on this one']

    kept, reasons = mj.kept_scores(
        earlier_run(scenes=dict(SETTINGS['scenes'], textures='random')),
        settings())
    assert kept == {}
    assert all("textures 'random' -> 'per_class'" in r for r in reasons)


@pytest.mark.parametrize('text', ['{"num_unlabeled": 2', '[1, 2]'])
def test_an_unreadable_scene_record_is_refused_by_name(tmp_path, capsys,
                                                       text):
    """A --data folder whose scenes.json is not a settings record stops
    the job before any stage, naming the file; nothing is written."""
    root, work = tmp_path / 'scenes', tmp_path / 'work'
    root.mkdir()
    (root / 'scenes.json').write_text(text)
    rc = mj.main(['--data', str(root), '--work-dir', str(work),
                  '--no-transfer-check'])
    assert rc == 2
    err = capsys.readouterr().err
    assert str(root / 'scenes.json') in err and 'make_scenes.py' in err
    assert not work.exists()
    assert (root / 'scenes.json').read_text() == text


def test_the_plan_reuses_the_backbone_file_of_kept_scores():
    """Probe and detection kept for every backbone of seed 0, with the
    backbone files there: only the segmentations run, from those files."""
    args = mj.parse_args(['--no-transfer-check'])
    mj.check_options(args)
    kept = {(0, b, t): {'x': 1.} for b in BACKBONES for t in ('probe', 'det')}
    files = {('0', b, 'backbone'): f'{b}.pth' for b in BACKBONES}
    todo = mj.stages_to_run(args, kept, files)
    assert todo == {(0, b): (['seg'], True) for b in BACKBONES}
    assert mj.build_plan(args, todo) == ['scenes'] + ['seg'] * 4 + [
        'pictures']
    # Without the files, or with nothing of the backbone kept, it is
    # pre-trained (random init: written) and extracted again.
    del files[('0', 'BYOL', 'backbone')]
    kept = {k: v for k, v in kept.items() if k[1] != 'PixPro'}
    todo = mj.stages_to_run(args, kept, files)
    assert todo[(0, 'BYOL')] == (['seg'], False)
    assert todo[(0, 'PixPro')] == (['probe', 'det', 'seg'], False)
    assert mj.build_plan(args, todo) == [
        'scenes', 'seg', 'pretrain', 'extract', 'probe', 'det', 'seg',
        'pretrain', 'extract', 'seg', 'seg', 'pictures'
    ]
    # A fresh run: every stage.
    assert mj.build_plan(args) == ['scenes', 'extract', *TASKS] + [
        'pretrain', 'extract', *TASKS] * 3 + ['pictures']


def test_the_control_runs_again_when_its_segmentation_changes():
    control = settings(control=True)
    run = earlier_run(control=True)
    for per_seed in run['seeds'].values():
        per_seed[mj.CONTROL] = complete(50.)
    kept, _ = mj.kept_scores(run, control)
    assert {k for k in kept if k[1] == mj.CONTROL} == {
        (seed, mj.CONTROL, t) for seed in range(4) for t in TASKS}
    # Its backbone is trained by the segmentation miniature: a change of the
    # segmentation options reruns every score of it, and only the other
    # backbones' segmentation.
    kept, reasons = mj.kept_scores(run, dict(control, seg_options={'x': 1}))
    assert not any(k[1] == mj.CONTROL for k in kept)
    assert set(kept) == {k for k in ALL_FIGURES if k[2] != 'seg'}
    assert any(r.startswith(f'{mj.CONTROL}: seg_options was') for r in reasons)
    # Without --control its scores are neither kept nor run.
    kept, _ = mj.kept_scores(run, settings())
    assert set(kept) == ALL_FIGURES


def test_the_plan_with_a_control():
    args = mj.parse_args(['--control', '--no-transfer-check', '--tasks',
                          'seg'])
    mj.check_options(args)
    assert mj.build_plan(args) == ['scenes', 'extract', 'seg'] + [
        'pretrain', 'extract', 'seg'] * 3 + ['control', 'seg', 'pictures']
    assert mj.slug(mj.CONTROL) == 'control_supervised'


def test_files_a_rerun_replaces_are_forgotten():
    """An earlier checkpoint or detector must not stand in for the rerun's
    in the pictures: forgotten when its stage runs again, kept otherwise."""
    files = {('0', b, kind): f'{b}-{kind}' for b in BACKBONES
             for kind in ('checkpoint', 'det', 'work_dir', 'backbone')}
    todo = {(0, 'PixPro'): (['seg'], True),  # file reused, det kept
            (0, 'BYOL'): (['probe', 'det', 'seg'], False),  # all again
            (0, 'DenseCL'): (['det'], True)}  # detection again
    mj.forget_rerun_files(files, todo)
    gone = {('0', 'BYOL', 'checkpoint'), ('0', 'BYOL', 'det'),
            ('0', 'DenseCL', 'det')}
    expected = {('0', b, kind) for b in BACKBONES
                for kind in ('checkpoint', 'det', 'work_dir', 'backbone')}
    assert set(files) == expected - gone


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
    old['settings']['seeds'] = [0]
    old['settings']['scenes'] = json.loads((data / 'scenes.json').read_text())
    (work / 'results.json').write_text(json.dumps(old))
    rc = mj.main(['--seeds', '0', '--resume', '--no-transfer-check',
                  '--show', '0', '--data', str(data), '--work-dir',
                  str(work)])
    out = capsys.readouterr().out
    assert rc == 0
    assert 'seed 0: kept from' in out and 'DenseCL seg' in out
    announced = [line for line in out.splitlines() if line.startswith('==>')]
    assert len(announced) == 2, announced  # the scenes, the pictures
    new = json.loads((work / 'results.json').read_text())
    assert new['seeds']['0'] == old['seeds']['0']
    kept = [t for t in new['stages'] if t.get('kept')]
    assert [t['stage'] for t in kept] == ['pre-training PixPro, seed 0 (x.py)']
    # No stage of seed 0 ran again: only the scenes and the pictures.
    ran = [t['kind'] for t in new['stages'] if not t.get('kept')]
    assert ran == ['scenes', 'pictures']


def test_kept_seed_files_finds_the_last_checkpoints(tmp_path):
    seed_dir = tmp_path / 'seed2'
    (seed_dir / 'pixpro').mkdir(parents=True)
    for name in ('iter_300.pth', 'iter_900.pth'):
        (seed_dir / 'pixpro' / name).write_bytes(b'')
    (seed_dir / 'det' / 'random_init').mkdir(parents=True)
    (seed_dir / 'det' / 'random_init' / 'iter_300.pth').write_bytes(b'')
    (seed_dir / 'backbones').mkdir()
    (seed_dir / 'backbones' / 'random_init.pth').write_bytes(b'')
    files = mj.kept_seed_files(str(tmp_path), 2)
    assert files[('2', 'random init', 'backbone')] == str(
        seed_dir / 'backbones' / 'random_init.pth')
    assert ('2', 'PixPro', 'backbone') not in files
    assert files[('2', 'PixPro', 'checkpoint')] == str(
        seed_dir / 'pixpro' / 'iter_900.pth')
    assert files[('2', 'random init', 'det')] == str(
        seed_dir / 'det' / 'random_init' / 'iter_300.pth')
    # Work dirs are named whether or not they hold a checkpoint; missing
    # checkpoints are left out.
    assert files[('2', 'BYOL', 'work_dir')] == str(seed_dir / 'byol')
    assert ('2', 'BYOL', 'checkpoint') not in files
    assert ('2', 'PixPro', 'det') not in files


@pytest.mark.parametrize('text', ['{"seeds": ', '[1, 2]'],
                         ids=['cut short', 'not a record'])
def test_unreadable_results_refused_by_name_and_left_alone(
        tmp_path, capsys, text):
    work = tmp_path / 'work'
    work.mkdir()
    (work / 'results.json').write_text(text)
    rc = mj.main(['--resume', '--work-dir', str(work), '--data',
                  str(tmp_path / 'none')])
    assert rc == 2
    assert str(work / 'results.json') in capsys.readouterr().err
    assert (work / 'results.json').read_text() == text
    assert sorted(p.name for p in work.iterdir()) == ['results.json']
    assert not (tmp_path / 'none').exists()
