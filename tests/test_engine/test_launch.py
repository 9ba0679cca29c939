"""mmpixpro.engine.runner.launch: the config tools/train.py trains, built
from a file and the command line's switches, and training in-process."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmpixpro.engine.runner.launch import build_train_config, train
from tests.utils import SMALL_CONFIG


def test_defaults_leave_the_config_as_it_is(tmp_path):
    plain = Config.fromfile(SMALL_CONFIG)
    cfg = build_train_config(SMALL_CONFIG, work_dir=str(tmp_path))
    assert cfg.launcher == 'none' and cfg.work_dir == str(tmp_path)
    assert cfg.resume is False and cfg.load_from is None
    assert cfg.unsafe_load is False
    # The small config has workers, so its loader settings stay.
    assert cfg.train_dataloader == plain.train_dataloader
    assert cfg.optim_wrapper == plain.optim_wrapper
    assert cfg.auto_scale_lr == plain.auto_scale_lr


def test_work_dir_is_named_after_the_config_file():
    cfg = build_train_config(SMALL_CONFIG)
    assert cfg.work_dir == './work_dirs/pixpro_resnet18-w16_1xb16-4e'
    # A config read beforehand names it the same way.
    cfg = build_train_config(Config.fromfile(SMALL_CONFIG))
    assert cfg.work_dir == './work_dirs/pixpro_resnet18-w16_1xb16-4e'
    with pytest.raises(ValueError, match='work_dir'):
        build_train_config(Config(dict(train_dataloader=dict())))


def test_switches(tmp_path):
    cfg = build_train_config(
        SMALL_CONFIG, work_dir=str(tmp_path), launcher='pytorch', amp=True,
        resume='auto', auto_scale_lr='sqrt', pin_memory=False,
        persistent_workers=False, unsafe_load=True)
    assert cfg.launcher == 'pytorch'
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.resume is True and cfg.load_from is None
    assert cfg.auto_scale_lr == dict(base_batch_size=16, enable=True,
                                     rule='sqrt')
    assert cfg.train_dataloader.pin_memory is False
    assert cfg.train_dataloader.persistent_workers is False
    assert cfg.unsafe_load is True
    cfg = build_train_config(SMALL_CONFIG, work_dir=str(tmp_path),
                             resume='some/epoch_2.pth',
                             auto_scale_lr='config')
    assert cfg.resume is True and cfg.load_from == 'some/epoch_2.pth'
    # The config's own rule (its schedule's 'linear'), now enabled.
    assert cfg.auto_scale_lr == dict(base_batch_size=16, enable=True,
                                     rule='linear')


def test_options_are_merged_last_and_unknown_keys_warned(tmp_path, capsys):
    cfg = build_train_config(
        SMALL_CONFIG, work_dir=str(tmp_path),
        cfg_options={'train_dataloader.num_workers': 0,
                     'train_dataloader.persistent_workers': True,
                     'optim_wraper.optimizer.lr': 1.0})
    # Merged after the switches: persistent_workers as given, although the
    # loader has no workers.
    assert cfg.train_dataloader.num_workers == 0
    assert cfg.train_dataloader.persistent_workers is True
    assert cfg.optim_wrapper.optimizer.lr == 0.5
    err = capsys.readouterr().err
    assert 'optim_wraper.optimizer.lr' in err
    assert "did you mean 'optim_wrapper'" in err
    assert 'num_workers' not in err


def test_bad_switches_are_refused(tmp_path):
    with pytest.raises(ValueError, match='launcher'):
        build_train_config(SMALL_CONFIG, work_dir=str(tmp_path),
                           launcher='torchrun')
    with pytest.raises(ValueError, match='auto_scale_lr'):
        build_train_config(SMALL_CONFIG, work_dir=str(tmp_path),
                           auto_scale_lr='cubic')
    config = tmp_path / 'no_lr_rule.py'
    config.write_text('train_dataloader = dict()\n')
    with pytest.raises(ValueError, match='no_lr_rule.py has no '
                       'auto_scale_lr setting'):
        build_train_config(str(config), work_dir=str(tmp_path),
                           auto_scale_lr='sqrt')


def test_train_returns_the_last_checkpoint(tmp_path, images):
    cfg = build_train_config(
        SMALL_CONFIG, work_dir=str(tmp_path),
        cfg_options={'train_dataloader.dataset.data_root': images,
                     'train_dataloader.batch_size': 4,
                     'train_dataloader.num_workers': 0,
                     'train_cfg.max_epochs': 1,
                     'randomness.seed': 0})
    path = train(cfg)
    # 8 images, batch 4: one epoch of 2 iterations, saved as epoch_1.pth.
    assert path == osp.join(str(tmp_path), 'epoch_1.pth')
    checkpoint = torch.load(path, weights_only=False)
    assert checkpoint['meta']['epoch'] == 1
    assert checkpoint['meta']['iter'] == 2
