"""A run name of its own for every runner built in one process."""
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import DefaultScope

#: The process-wide instances mmengine's ``Runner`` looks up by its
#: experiment name.
_NAMED_BY_RUN = (MMLogger, MessageHub, DefaultScope)


def unused_run_name(name: str) -> str:
    """``name``, or ``name_1``, ``name_2``, ... where a logger, message hub
    or default scope of that name already exists in this process.

    Args:
        name (str): The experiment name mmengine's ``Runner`` composed.

    Returns:
        str: The first of the names above that no such instance has.
    """
    candidate, n = name, 0
    while any(cls.check_instance_created(candidate)
              for cls in _NAMED_BY_RUN):
        n += 1
        candidate = f'{name}_{n}'
    return candidate


class RunNameMixin:
    """Each runner built in one process gets its own logger, message hub and
    default scope, also when two are built within the same second.

    mmengine's ``Runner`` names its experiment after the config file and the
    second it was built (``<config>_<YYYYmmdd_HHMMSS>``, or the timestamp
    alone), and fetches its logger, message hub and default scope by that
    name. A second runner built in the same second (a notebook, a sweep, a
    run that stopped at once and was started again) therefore got the first
    one's instances: its log went on into the first run's log file, in the
    first run's work directory, and the first run's message hub and scope
    came with it. The name is made unique as ``Runner.__init__`` sets it,
    before any of these is fetched; a run with no earlier namesake keeps
    mmengine's name, and the log folder stays the timestamp.
    """

    @property
    def _experiment_name(self) -> str:
        return self.__dict__['_experiment_name']

    @_experiment_name.setter
    def _experiment_name(self, name: str) -> None:
        self.__dict__['_experiment_name'] = unused_run_name(name)
