"""One training run per work directory: a lock file that a killed run does
not leave stuck."""
import os
import os.path as osp
import socket
from typing import Dict, Optional

try:
    import fcntl
except ImportError:  # not POSIX: no lock, as before
    fcntl = None

#: The lock file, in the work directory.
LOCK_NAME = '.mmpixpro-train.lock'


class WorkDirLockedError(RuntimeError):
    """Another process trains into this work directory."""


class _Held:

    def __init__(self, file) -> None:
        self.file = file
        self.count = 1


# real path of the work directory -> the lock this process holds on it
_held: Dict[str, _Held] = {}


def _holder(file) -> str:
    """What the holder wrote into the lock file (``pid N on HOST``)."""
    try:
        file.seek(0)
        text = file.read().strip()
    except OSError:
        text = ''
    return text or 'a process that has not written its pid yet'


def acquire_work_dir_lock(work_dir: str, logger=None) -> Optional[str]:
    """Lock ``work_dir`` for this process's training run; returns the lock
    file's path (None where the file system cannot lock, after a warning on
    ``logger``).

    The lock is ``fcntl.flock`` on ``work_dir/.mmpixpro-train.lock``: the
    kernel drops it when the process ends, however it ends (kill -9
    included), so it is never left stuck. The file itself stays; it holds
    the holder's pid and host. Within one process the lock is counted:
    each call needs one :func:`release_work_dir_lock`.

    Raises:
        WorkDirLockedError: another process holds the lock, naming the
            folder and the holder's pid.
    """
    key = osp.realpath(work_dir)
    held = _held.get(key)
    if held is not None:
        held.count += 1
        return held.file.name
    if fcntl is None:
        return None
    os.makedirs(key, exist_ok=True)
    path = osp.join(key, LOCK_NAME)
    file = open(path, 'a+')
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(file)
        file.close()
        raise WorkDirLockedError(
            f'{work_dir} is in use by another training run ({holder}; lock '
            f'file {path}): two runs in one work directory would overwrite '
            'each other\'s checkpoints. Wait for it to end, stop it, or give '
            'this run another --work-dir.') from None
    except OSError as e:  # e.g. a file system without flock
        file.close()
        if logger is not None:
            logger.warning(f'could not lock {path} ({e.strerror or e}); '
                           'nothing stops a second run from using '
                           f'{work_dir} at the same time')
        return None
    file.seek(0)
    file.truncate()
    file.write(f'pid {os.getpid()} on {socket.gethostname()}\n')
    file.flush()
    _held[key] = _Held(file)
    return path


def release_work_dir_lock(work_dir: str) -> None:
    """Undo one :func:`acquire_work_dir_lock` of ``work_dir``; the last one
    unlocks it (a no-op where this process holds no lock on it)."""
    key = osp.realpath(work_dir)
    held = _held.get(key)
    if held is None:
        return
    held.count -= 1
    if held.count > 0:
        return
    del _held[key]
    try:
        fcntl.flock(held.file.fileno(), fcntl.LOCK_UN)
    finally:
        held.file.close()


class WorkDirLockMixin:
    """One training run per work directory: the run's main process (rank
    0) locks the work directory as the runner is built, before anything is
    written there, and unlocks it when ``train`` returns or raises. A second
    run into the same folder stops at once with a
    :class:`WorkDirLockedError` naming the folder and the holder's pid. A
    killed run's lock goes with its process (``flock``)."""

    def setup_env(self, env_cfg) -> None:
        super().setup_env(env_cfg)
        self._work_dir_locked = False
        if self.rank == 0:
            self._work_dir_locked = acquire_work_dir_lock(
                self.work_dir) is not None

    def train(self):
        try:
            return super().train()
        finally:
            if getattr(self, '_work_dir_locked', False):
                self._work_dir_locked = False
                release_work_dir_lock(self.work_dir)

    def __del__(self):
        # A runner built but never trained lets go of the folder when it
        # is collected (the process's end lets go in any case).
        if getattr(self, '_work_dir_locked', False):
            self._work_dir_locked = False
            try:
                release_work_dir_lock(self.work_dir)
            except Exception:  # at interpreter exit: the exit unlocks it
                pass
