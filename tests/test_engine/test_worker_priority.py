"""``worker_nice`` in a dataloader config: the data workers run that many
nice levels below the training process, seeded as mmengine seeds them."""
import random

import numpy as np
import pytest
from mmengine.runner import Runner
from torch.utils.data import Dataset

from mmpixpro.engine.runner import PixProRunner


def thread_nice() -> int:
    """The calling thread's nice value as the kernel reports it (field 19
    of /proc/thread-self/stat, counted after the command name)."""
    with open('/proc/thread-self/stat') as f:
        stat = f.read()
    return int(stat.rsplit(')', 1)[1].split()[16])


class WhoLoads(Dataset):
    """Each item: the loading thread's nice value and one draw from each
    random generator a worker seed sets."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return dict(nice=thread_nice(), py=random.random(),
                    np=float(np.random.rand()))


def loader_cfg(**extra):
    return dict(dataset=WhoLoads(), batch_size=1, num_workers=2,
                sampler=dict(type='DefaultSampler', shuffle=False),
                collate_fn=dict(type='default_collate'), **extra)


def load_all(loader) -> list:
    return [{k: float(v[0]) for k, v in batch.items()} for batch in loader]


def test_workers_run_lower_and_draw_what_they_drew_before():
    main_nice = thread_nice()
    plain = load_all(Runner.build_dataloader(loader_cfg(), seed=3))
    niced = load_all(
        PixProRunner.build_dataloader(loader_cfg(worker_nice=5), seed=3))
    assert [b['nice'] for b in plain] == [main_nice] * 4
    assert [b['nice'] for b in niced] == [min(main_nice + 5, 19)] * 4
    # The workers are seeded as mmengine seeds them: the same draws.
    assert [(b['py'], b['np']) for b in niced] == [(b['py'], b['np'])
                                                   for b in plain]
    assert thread_nice() == main_nice  # the training process is untouched


def test_without_the_option_the_loader_is_mmengines():
    loader = PixProRunner.build_dataloader(loader_cfg(), seed=3)
    assert [b['nice'] for b in load_all(loader)] == [thread_nice()] * 4


@pytest.mark.parametrize('value', [-1, 20, 1.5, True, '19', None])
def test_a_value_outside_0_to_19_is_refused(value):
    with pytest.raises(ValueError, match=r'worker_nice .* from 0 to 19'):
        PixProRunner.build_dataloader(loader_cfg(worker_nice=value), seed=0)


def test_without_workers_it_says_it_does_nothing():
    main_nice = thread_nice()
    cfg = dict(loader_cfg(worker_nice=19), num_workers=0)
    with pytest.warns(UserWarning, match='does nothing here'):
        loader = PixProRunner.build_dataloader(cfg, seed=0)
    assert [b['nice'] for b in load_all(loader)] == [main_nice] * 4
    assert thread_nice() == main_nice


def test_the_config_dict_is_left_as_given():
    cfg = loader_cfg(worker_nice=3)
    PixProRunner.build_dataloader(cfg, seed=0)
    assert cfg['worker_nice'] == 3



# ------------------------------------------------ which runner reads it
def test_a_config_without_runner_type_gets_mmengines_runner_with_it(
        tmp_path, images):
    """``tools/train.py`` and ``train_downstream.py`` build mmengine's
    ``Runner`` for a config without ``runner_type``, as mmdet's and mmseg's
    own launchers do, but one that reads ``worker_nice`` (mmengine's
    loops build their loaders through the runner instance)."""
    from mmengine.runner import Runner

    from mmpixpro.engine.runner.worker_priority import (WorkerPriorityRunner,
                                                        build_config_runner)
    from tests.utils.training import small_cfg
    cfg = small_cfg(tmp_path / 'w', images)
    cfg.pop('runner_type', None)
    runner = build_config_runner(cfg)
    assert type(runner) is WorkerPriorityRunner
    assert WorkerPriorityRunner.__mro__[1:] == (
        WorkerPriorityRunner.__mro__[1], ) + Runner.__mro__
    main_nice = thread_nice()
    loader = runner.build_dataloader(loader_cfg(worker_nice=4), seed=3)
    assert [b['nice'] for b in load_all(loader)] == [min(main_nice + 4, 19)
                                                     ] * 4


def test_a_runner_type_that_does_not_read_it_is_refused_before_building(
        tmp_path, images, monkeypatch):
    from mmengine.runner import Runner

    from mmpixpro.engine.runner.worker_priority import (UnreadWorkerNiceError,
                                                        build_config_runner)
    from tests.utils.training import small_cfg
    built = []
    monkeypatch.setattr(Runner, '__init__',
                        lambda self, **kw: built.append(self))
    cfg = small_cfg(tmp_path / 'w', images)
    cfg.runner_type = 'Runner'
    cfg.train_dataloader.worker_nice = 19
    cfg.val_dataloader = dict(cfg.train_dataloader)
    with pytest.raises(UnreadWorkerNiceError,
                       match=r"train_dataloader, val_dataloader set "
                       r"worker_nice, which runner_type='Runner' does not"):
        build_config_runner(cfg)
    assert built == []
    # Without the option that runner is built as the config asks.
    del cfg.train_dataloader['worker_nice'], cfg.val_dataloader[
        'worker_nice']
    runner = build_config_runner(cfg)
    assert type(runner) is Runner and built == [runner]


def test_a_runner_type_that_reads_it_is_built(tmp_path, images):
    from mmpixpro.engine.runner.worker_priority import build_config_runner
    from tests.utils.training import small_cfg
    cfg = small_cfg(tmp_path / 'w', images)
    cfg.train_dataloader.worker_nice = 19
    assert type(build_config_runner(cfg)) is PixProRunner


def test_train_downstream_refuses_it_for_such_a_runner(monkeypatch, capsys):
    """The fine-tune launcher says so in one line, before any model is
    built."""
    from tests.utils import REPO, load_tool_main
    main = load_tool_main('benchmarks', 'train_downstream.py')
    monkeypatch.setitem(main.__globals__, 'missing_data_roots',
                        lambda cfg: [])
    config = (f'{REPO}/configs/benchmarks/mmsegmentation/cityscapes/'
              'fcn_r18-w16-d8_scenes-cityscapes.py')
    with pytest.raises(SystemExit, match=r"error: train_dataloader sets "
                       r"worker_nice, which runner_type='Runner'"):
        main([config, '--cfg-options', 'runner_type=Runner',
              'train_dataloader.worker_nice=19'])
