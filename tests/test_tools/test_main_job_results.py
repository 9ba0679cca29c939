"""The main job's table, reading and chart are built from results.json;
a stage that failed or did not run is reported as such, never dropped."""
import json
import statistics

import pytest
from PIL import Image

from tests.test_tools.main_job_module import load_main_job

mj = load_main_job()


def figures(linear, knn, ap50, ap, miou):
    return dict(
        probe=dict(linear_mIoU=linear, knn_mIoU=knn),
        det=dict(AP50=ap50, AP=ap, AP75=0.),
        seg=dict(mIoU=miou, aAcc=90., mAcc=50.))


def three_seeds():
    """PixPro above BYOL by far more than the spread on the probe; DenseCL's
    detection failed on seed 1 and its segmentation never ran on seed 2."""
    seeds = {}
    for seed, jitter in (('0', 0.), ('1', 1.), ('2', -1.)):
        seeds[seed] = {
            'random init': figures(10 + jitter, 8, 5, 2, 30),
            'PixPro': figures(30 + jitter, 20, 40 + jitter, 20, 50),
            'BYOL': figures(20 - jitter, 19, 40 - jitter, 19, 49),
            'DenseCL': figures(25, 18, 35, 15, 45 + jitter),
        }
    seeds['1']['DenseCL']['det'] = dict(error='StageFailed: exited with 1')
    del seeds['2']['DenseCL']['seg']
    return dict(seeds=seeds)


def test_summary_mean_and_sample_std():
    s = mj.summarize(three_seeds())
    entry = s['PixPro']['probe/linear_mIoU']
    assert entry['values'] == [30., 31., 29.]
    assert entry['mean'] == pytest.approx(statistics.mean([30, 31, 29]))
    assert entry['std'] == pytest.approx(statistics.stdev([30, 31, 29]))
    det = s['DenseCL']['det/AP50']
    assert det['n'] == 2 and det['values'] == [35., 35.]
    assert det['missing'] == ['seed 1: StageFailed: exited with 1']
    assert s['DenseCL']['seg/mIoU']['missing'] == ['seed 2: not run']


def test_table_reports_failed_and_missing_stages():
    results = three_seeds()
    # One backbone's detection failed on every seed.
    for seed in results['seeds'].values():
        seed['BYOL']['det'] = dict(error='StageFailed: no checkpoint')
    text = mj.results_markdown(results)
    byol = next(line for line in text.splitlines()
                if line.startswith('| BYOL |'))
    cells = [c.strip() for c in byol.strip('|').split('|')]
    assert cells[0] == 'BYOL'
    assert cells[3] == cells[4] == 'FAILED'  # detection AP50, AP
    assert cells[1] == f'{statistics.mean([20, 19, 21]):.1f} ± 1.0'
    dense = next(line for line in text.splitlines()
                 if line.startswith('| DenseCL |'))
    assert '(1 missing)' in dense
    assert '- DenseCL, det/AP50: seed 1: StageFailed' in text
    assert '- DenseCL, seg/mIoU: seed 2: not run' in text
    assert ('detection AP50: PixPro against BYOL cannot be compared' in text)


def test_reading_says_whether_the_difference_exceeds_the_spread():
    lines = mj.comparisons(mj.summarize(three_seeds()))
    probe_byol = next(x for x in lines
                      if x.startswith('probe linear mIoU: PixPro 30.0 '
                                      'against BYOL 20.0'))
    assert '10.0 points above' in probe_byol
    assert 'larger than the spread' in probe_byol
    # kNN: 20 against 19 with zero spread on both: 1 point > 0.
    # detection AP50: 40 +- 1 against 40 -+ 1: level, within the spread.
    det = next(x for x in lines if x.startswith('detection AP50: PixPro')
               and 'BYOL' in x)
    assert 'level' in det and 'within the spread' in det
    one_seed = dict(seeds={'0': three_seeds()['seeds']['0']})
    lines = mj.comparisons(mj.summarize(one_seed))
    assert all('one seed only' in x for x in lines)


def test_reading_compares_byol_and_densecl_with_random_init():
    lines = mj.comparisons(mj.summarize(three_seeds()))
    # BYOL's segmentation is 49 on every seed, random init's 30.
    assert ('segmentation mIoU: BYOL 49.0 against random init 30.0, 19.0 '
            'points above; spread (largest std over 3 seeds) 0.0: larger '
            'than the spread.') in lines
    # DenseCL's detection failed on seed 1: compared over the two left.
    det = next(x for x in lines
               if x.startswith('detection AP50: DenseCL 35.0 against '
                               'random init 5.0'))
    assert 'over 2 seeds' in det
    # Five pairs a column (PixPro against three, BYOL and DenseCL against
    # random init), and no control sentence without a control.
    assert len(lines) == 5 * len(mj.COLUMNS)


def test_verdict_names_where_random_init_is_not_below_every_method():
    results = three_seeds()
    assert mj.pretraining_verdict(mj.summarize(results)) == (
        'Random init below every pre-trained method by more than the '
        'spread: probe linear mIoU, probe kNN mIoU, detection AP50, '
        'detection AP, segmentation mIoU.')
    # BYOL's segmentation 30.5 / 29 / 31 against random init's 30 / 30 /
    # 30: 0.2 above, std 1.0, so not clearly above.
    for seed, miou in (('0', 30.5), ('1', 29.), ('2', 31.)):
        results['seeds'][seed]['BYOL']['seg']['mIoU'] = miou
    verdict = mj.pretraining_verdict(mj.summarize(results))
    assert verdict.startswith(
        'Random init below every pre-trained method by more than the '
        'spread: probe linear mIoU, probe kNN mIoU, detection AP50, '
        'detection AP. Not on: segmentation mIoU (BYOL), where')
    assert verdict in mj.results_markdown(results)
    # One seed: no spread, so no column can be said to separate.
    one_seed = dict(seeds={'0': three_seeds()['seeds']['0']})
    verdict = mj.pretraining_verdict(mj.summarize(one_seed))
    assert verdict.startswith('Random init below every pre-trained method '
                              'by more than the spread: on no column.')
    assert 'segmentation mIoU (PixPro, BYOL, DenseCL)' in verdict


def test_control_row_and_sentences_only_where_the_run_scored_it():
    results = three_seeds()
    assert mj.CONTROL not in mj.summarize(results)
    assert not any('the control' in x
                   for x in mj.comparisons(mj.summarize(results)))
    for seed, miou in (('0', 70.), ('1', 72.), ('2', 71.)):
        results['seeds'][seed][mj.CONTROL] = figures(60, 50, 45, 22, miou)
    summary = mj.summarize(results)
    assert list(summary)[-1] == mj.CONTROL
    text = mj.results_markdown(results)
    row = next(line for line in text.splitlines()
               if line.startswith(f'| {mj.CONTROL} |'))
    assert row.split('|')[6].strip() == '71.0 ± 1.0'  # segmentation
    # Segmentation: control 70, 72, 71 against random init 30 on each seed.
    seg = [x for x in mj.comparisons(summary)
           if x.startswith('segmentation mIoU: the control')]
    assert seg == [
        'segmentation mIoU: the control 71.0 against random init 30.0, '
        '41.0 points above; spread (largest std over 3 seeds) 1.0: larger '
        'than the spread.'
    ]


def test_chart_from_results_json_with_a_failed_stage(tmp_path):
    from mmpixpro.visualization.results_chart import (HEIGHT, PANEL_WIDTH,
                                                      draw_results_chart)
    path = tmp_path / 'results.json'
    results = three_seeds()
    for seed in results['seeds'].values():
        seed['BYOL']['det'] = dict(error='StageFailed')
    path.write_text(json.dumps(results))
    summary = mj.summarize(json.loads(path.read_text()))
    out = tmp_path / 'chart.png'
    line = draw_results_chart(summary, mj.COLUMNS, str(out))
    assert str(out) in line
    with Image.open(out) as im:
        assert im.size == (PANEL_WIDTH * len(mj.COLUMNS), HEIGHT)


def test_write_results_keeps_json_and_markdown(tmp_path):
    results = three_seeds()
    results['transfer_error'] = 'RuntimeError: disk full'
    report = mj.write_results(results, str(tmp_path))
    assert json.loads((tmp_path / 'results.json').read_text()) == results
    assert (tmp_path / 'results.md').read_text() == report
    assert 'Transfer check FAILED: RuntimeError: disk full' in report
