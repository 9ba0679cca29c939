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
    (['--pretrain-iters', '0'], '--pretrain-iters must be at least 1'),
    # 5 % warm-up of 10 steps rounds to none.
    (['--pretrain-iters', '10'], '--pretrain-iters 10 leaves '
     'param_scheduler.0 (LinearLR, steps 0 to 90 of 1800) no step'),
    (['--pretrain-iters', '100', '--cfg-options', 'train_cfg.max_iters=50'],
     '--pretrain-iters sets train_cfg.max_iters; give it or those'),
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


def _lrs(cfg, steps):
    """The lr of every step under ``cfg``'s schedulers, as mmengine's own
    schedulers step it (a second code path to the options' arithmetic)."""
    import torch
    from mmengine.registry import PARAM_SCHEDULERS
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=cfg.optim_wrapper.optimizer.lr)
    schedulers = [
        PARAM_SCHEDULERS.build(dict(s, optimizer=optimizer))
        for s in cfg.param_scheduler
    ]
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        for s in schedulers:
            s.step()
    return lrs


def test_pretrain_iters_stretches_every_methods_schedule():
    from mmengine.config import Config
    args = mj.parse_args(['--pretrain-iters', '2700'])
    mj.check_options(args)
    # The options a person writes by hand for 1.5x the configs' 1800 steps
    # (5 % warm-up: 135 steps).
    assert args.cfg_options == {
        'train_cfg.max_iters': 2700, 'param_scheduler.0.end': 135,
        'param_scheduler.1.begin': 135, 'param_scheduler.1.T_max': 2565,
        'param_scheduler.1.end': 2700}
    assert mj.run_settings(args)['pretrain_options'] == args.cfg_options
    assert args.pretrain_scale == 1.5
    for config in mj.METHODS.values():
        short, long = Config.fromfile(config), Config.fromfile(config)
        long.merge_from_dict(args.cfg_options)
        assert long.train_cfg.max_iters == 2700
        before, after = _lrs(short, 1800), _lrs(long, 2700)
        peak = short.optim_wrapper.optimizer.lr
        # The warm-up reaches the same peak in three times as many steps.
        def peak_step(lrs):
            return next(t for t, lr in enumerate(lrs)
                        if lr == pytest.approx(peak))

        assert peak_step(before) + 1 == 90
        assert peak_step(after) + 1 == 135
        # The same cosine, 1.5 times as long, down to eta_min at the end.
        for t in range(90, 1800, 38):
            assert after[3 * t // 2] == pytest.approx(before[t], rel=1e-6)
        assert after[-1] < 1e-4 * peak


def test_pretrain_iters_of_the_configs_length_changes_nothing():
    args = mj.parse_args(['--pretrain-iters', '1800'])
    mj.check_options(args)
    assert args.cfg_options == {} and args.pretrain_scale == 1


@pytest.mark.parametrize('total,seg_options,left', [
    # The miniature's own indices=30: the first 30 scenes are the
    # fine-tune's.
    (34, {}, [30, 31, 32, 33]),
    (9, {'train_dataloader.dataset.indices': 2}, [2, 3, 4, 5, 6, 7, 8]),
    (9, {'train_dataloader.dataset.indices': [0, 3, 8]}, [1, 2, 4, 5, 6, 7]),
])
def test_control_trains_on_the_scenes_the_fine_tune_does_not_use(
        tmp_path, total, seg_options, left):
    train = tmp_path / 'cityscapes' / 'leftImg8bit' / 'train' / 'scenes'
    train.mkdir(parents=True)
    for i in range(total):
        (train / f'scene_{i:04d}_leftImg8bit.png').write_bytes(b'')
    args = mj.parse_args(['--data', str(tmp_path)])
    args.seg_options = seg_options
    assert mj.control_indices(args) == left


def test_control_refused_when_the_fine_tune_uses_every_scene(tmp_path):
    train = tmp_path / 'cityscapes' / 'leftImg8bit' / 'train' / 'scenes'
    train.mkdir(parents=True)
    for i in range(6):
        (train / f'scene_{i:04d}_leftImg8bit.png').write_bytes(b'')
    args = mj.parse_args(['--data', str(tmp_path)])
    with pytest.raises(mj.StageFailed, match='uses all 6 labelled train '
                       'scenes .indices 30.'):
        mj.control_indices(args)


def test_bf16_on_a_cpu_without_native_bf16_warns(monkeypatch):
    """The default configs pre-train in bf16; where oneDNN would emulate
    it (no AMX or AVX-512 bf16) the job says so and names the fp32
    configs; on a CPU that has it, or with fp32 configs, it says nothing."""
    import torch
    from mmengine.config import Config
    bf16 = [Config.fromfile(c) for c in mj.METHODS.values()]
    fp32 = [Config.fromfile(c.replace('bf16-1800it', '900it'))
            for c in mj.METHODS.values()]
    assert all(c.optim_wrapper.type == 'OptimWrapper' for c in fp32)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported',
                        lambda: False)
    warning = mj.bf16_warning(bf16)
    assert 'no native support' in warning
    assert 'configs/*/*_1xb32-900it_scenes.py' in warning
    assert mj.bf16_warning(fp32) == ''
    monkeypatch.setattr(torch.ops.mkldnn, '_is_mkldnn_bf16_supported',
                        lambda: True)
    assert mj.bf16_warning(bf16) == ''
