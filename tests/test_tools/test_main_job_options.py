"""tools/main_job.py refuses every bad option before its first stage,
naming its own option (not the tool it passes the value to)."""
import os

import pytest

from tests.test_tools.main_job_module import load_main_job

mj = load_main_job()


@pytest.mark.parametrize('argv,message', [
    (['--probe-epochs', '0'], '--probe-epochs must be at least 1'),
    (['--img-size', '60'], '--img-size must be a multiple of 8'),
    (['--img-size', '0'], '--img-size must be a multiple of 8'),
    (['--seeds', '0', '0'], '--seeds must not repeat'),
    (['--seeds', '-1'], '--seeds must be >= 0'),
    (['--seeds', '1', '--seed', '2'], 'give --seeds or --seed'),
    (['--tasks', 'probe', 'depth'], '--tasks must be one or more of'),
    (['--show', '-1'], '--show must be >= 0'),
    (['--det-options', 'train_cfg.max_iter.x=2'],
     'has no key train_cfg.max_iter; did you mean train_cfg.max_iters?'),
    (['--seg-options', 'modle.decode_head.channels=8'],
     'has no key modle; did you mean model?'),
    (['--cfg-options', 'train_dataloader.batch_sise=8'],
     'has no key train_dataloader.batch_sise; did you mean '
     'train_dataloader.batch_size?'),
])
def test_bad_option_refused_before_any_stage(tmp_path, capsys, argv,
                                             message):
    work, data = tmp_path / 'work', tmp_path / 'scenes'
    rc = mj.main(['--work-dir', str(work), '--data', str(data)] + argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    assert message in err
    # Nothing ran: no scenes written, no work dir made.
    assert not data.exists() and not work.exists()


def test_data_folder_that_is_not_a_scene_set(tmp_path, capsys):
    photos = tmp_path / 'photos'
    photos.mkdir()
    (photos / 'a.jpg').write_bytes(b'')
    rc = mj.main(['--work-dir', str(tmp_path / 'w'), '--data', str(photos)])
    assert rc == 2
    assert 'nor a scene set' in capsys.readouterr().err
    assert os.listdir(photos) == ['a.jpg']


def test_good_options_pass_and_set_seeds():
    args = mj.parse_args(['--seed', '3'])
    mj.check_options(args)
    assert args.seeds == [3]
    args = mj.parse_args([])
    mj.check_options(args)
    assert args.seeds == [0]
    args = mj.parse_args(['--seeds', '0', '1', '2', '--tasks', 'det'])
    mj.check_options(args)
    plan = mj.build_plan(args)
    # scenes; per seed: random init's file and detection fine-tune, then per
    # method pre-training, extraction and detection fine-tune; pictures;
    # transfer check
    per_seed = ['extract', 'det'] + ['pretrain', 'extract', 'det'] * 3
    assert plan == ['scenes'] + per_seed * 3 + ['pictures', 'transfer']
