"""Two runners built in one process within the same second: each logs into
its own work directory, with its own message hub and default scope."""
import os.path as osp
import time

import pytest
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmpixpro.engine.runner.run_name import unused_run_name
from tests.utils import build_runner, small_cfg


@pytest.fixture
def same_second(monkeypatch):
    """Every runner built in the test gets the same timestamp."""
    now = time.time()
    monkeypatch.setattr(time, 'time', lambda: now)


def cfg_in(work, images, name):
    """The small config into ``work``, named ``name``: a name of the test's
    own, so that no earlier test's runner of the same second shares it."""
    cfg = small_cfg(work, images, max_epochs=1)
    cfg.experiment_name = name
    return cfg


def log_file(runner):
    return runner.logger.handlers[-1].baseFilename


def read(path):
    with open(path) as f:
        return f.read()


def test_each_runner_logs_into_its_own_folder(tmp_path, images, same_second):
    first = build_runner(cfg_in(tmp_path / 'A', images, 'own_folder'))
    second = build_runner(cfg_in(tmp_path / 'B', images, 'own_folder'))
    assert first.timestamp == second.timestamp  # the collision is real
    assert second.experiment_name == first.experiment_name + '_1'
    assert second.logger is not first.logger
    assert second.message_hub is not first.message_hub
    assert log_file(first).startswith(str(tmp_path / 'A') + osp.sep)
    assert log_file(second).startswith(str(tmp_path / 'B') + osp.sep)
    # the log folder is still mmengine's: the timestamp
    assert osp.dirname(log_file(second)) == osp.join(
        str(tmp_path / 'B'), second.timestamp)

    second.logger.info('written by the second run')
    first.logger.info('written by the first run')
    assert 'written by the second run' in read(log_file(second))
    assert 'written by the second run' not in read(log_file(first))
    assert 'written by the first run' not in read(log_file(second))


def test_a_third_runner_takes_the_next_name(tmp_path, images, same_second):
    names = [build_runner(cfg_in(tmp_path / w, images,
                                 'third')).experiment_name
             for w in 'ABC']
    assert names[1:] == [names[0] + '_1', names[0] + '_2']


def test_each_runner_has_its_own_default_scope(tmp_path, images,
                                                same_second):
    """Fetched by name too: a namesake's scope would be handed over, with
    whatever scope it was built for."""
    first = build_runner(cfg_in(tmp_path / 'A', images, 'scope'))
    second = build_runner(cfg_in(tmp_path / 'B', images, 'scope'))
    assert second.default_scope is not first.default_scope
    assert second.default_scope.instance_name == second.experiment_name
    assert DefaultScope.get_current_instance() is second.default_scope


def test_mmengine_runner_alone_shares_the_first_runs_logger(tmp_path, images,
                                                            same_second):
    """The upstream behaviour the mixin mends: mmengine's own Runner hands
    the second run the first one's logger, writing into the first run's
    folder. When mmengine mends it, this test fails and the mixin can go."""
    first = Runner.from_cfg(cfg_in(tmp_path / 'A', images, 'upstream'))
    second = Runner.from_cfg(cfg_in(tmp_path / 'B', images, 'upstream'))
    assert second.logger is first.logger
    assert log_file(second).startswith(str(tmp_path / 'A') + osp.sep)


@pytest.mark.parametrize('kind', ['logger', 'message_hub', 'scope'])
def test_unused_run_name_counts_past_every_kind_of_instance(kind):
    """Any one of the three instances of a name makes the name taken."""
    taken = f'test_run_name_{kind}_only'
    cls, kwargs = dict(logger=(MMLogger, {}), message_hub=(MessageHub, {}),
                       scope=(DefaultScope, dict(scope_name='mmpixpro')))[kind]
    cls.get_instance(taken, **kwargs)
    try:
        assert unused_run_name(taken) == taken + '_1'
    finally:
        cls._instance_dict.pop(taken)
    assert unused_run_name('test_run_name_never_built') == \
        'test_run_name_never_built'
