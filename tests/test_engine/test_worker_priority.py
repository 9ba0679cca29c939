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

