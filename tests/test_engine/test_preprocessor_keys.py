"""Each data base declares its preprocessor at the top level and each
config copies it into ``model``. mmengine's Runner uses the top-level key
only when ``model`` has none, so changing the top-level key alone would do
nothing without a word: the runner says so when it builds the model."""
import os.path as osp
import runpy

from mmengine.config import Config
from mmengine.logging import MMLogger

from mmpixpro.engine.runner.config_checks import preprocessor_mismatch
from mmpixpro.engine.runner.launch import build_runner
from tests.utils import REPO, SMALL_CONFIG


def config(tmp_path, *options):
    tool = runpy.run_path(osp.join(REPO, 'tools', 'train.py'))
    args = tool['parse_args']([
        SMALL_CONFIG, '--work-dir',
        str(tmp_path), '--cfg-options', 'train_dataloader.num_workers=0',
        *options
    ])
    return tool['merge_args'](Config.fromfile(SMALL_CONFIG), args)


def warnings_of(runner_cfg, monkeypatch):
    seen = []
    monkeypatch.setattr(MMLogger, 'warning',
                        lambda self, msg, *a, **k: seen.append(str(msg)))
    build_runner(runner_cfg)
    return [m for m in seen if 'model.data_preprocessor' in m]


def test_top_level_change_alone_is_named(tmp_path, monkeypatch):
    cfg = config(tmp_path, 'data_preprocessor.non_blocking=False')
    assert cfg.model.data_preprocessor.non_blocking is True
    (message, ) = warnings_of(cfg, monkeypatch)
    assert 'the top-level key is ignored' in message
    assert "'non_blocking': False" in message


def test_the_configs_as_written_say_nothing(tmp_path, monkeypatch):
    cfg = config(tmp_path)
    assert cfg.data_preprocessor == cfg.model.data_preprocessor
    assert warnings_of(cfg, monkeypatch) == []
    # Both keys changed together, or a config with no top-level key: quiet.
    both = config(tmp_path, 'data_preprocessor.non_blocking=False',
                  'model.data_preprocessor.non_blocking=False')
    assert preprocessor_mismatch(both) is None
    assert preprocessor_mismatch(dict(model=both.model)) is None
