"""Atomic file writing, for checkpoints and every converter's output.

:func:`atomic_write` writes a temporary file in the target's folder,
flushed and fsynced, then renames it over the target, so the target is
either the old file or the complete new one, with the mode a plain
``open()`` gives under the umask. A killed writer leaves only its
temporary file (:func:`is_partial_file`), which the checkpoint hook removes
at the next start.
"""
import contextlib
import os
import os.path as osp
import re
import tempfile
from typing import Any, BinaryIO, Callable, List, Optional

import torch

__all__ = [
    'atomic_write', 'atomic_torch_save', 'PARTIAL_TAG', 'is_partial_file',
    'partial_files', 'new_file_mode'
]


def _fsync_dir(dirname: str) -> None:
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return  # not supported here (e.g. Windows)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: What marks the temporary files :func:`atomic_write` creates:
#: ``.{name}.mmpixpro-partial-{8 random characters}.tmp`` beside ``name``.
PARTIAL_TAG = '.mmpixpro-partial-'
_PARTIAL_NAME = re.compile(r'^\..+' + re.escape(PARTIAL_TAG) +
                           r'[a-z0-9_]{8}\.tmp$')


def is_partial_file(name: str) -> bool:
    """Whether the file name (a path or a base name) is one of the
    temporary files :func:`atomic_write` creates (and a killed writer
    leaves), never a user's own ``.*.tmp`` file."""
    return bool(_PARTIAL_NAME.match(osp.basename(name)))


def partial_files(folder: str) -> List[str]:
    """The temporary files of interrupted :func:`atomic_write` calls in
    ``folder`` (not in its subfolders), sorted."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(
        osp.join(folder, name) for name in names
        if is_partial_file(name) and osp.isfile(osp.join(folder, name)))


def current_umask() -> int:
    """The process's umask, read without changing it where Linux shows it
    (``/proc/self/status``); elsewhere set and restored at once."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """The mode a plain ``open(path, 'w')`` gives a new file under the
    current umask: ``0o666 & ~umask``."""
    return 0o666 & ~current_umask()


def _os_error_in(error: BaseException) -> Optional[OSError]:
    """``error`` or the first ``OSError`` it was raised from or during (torch
    reports a failed write of its zip writer as a ``RuntimeError`` raised
    while handling the ``OSError``)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OSError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def atomic_write(path: str, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temporary file in ``path``'s folder, flush
    and fsync it, and rename it to ``path``.

    The file gets the mode a plain ``open()`` would give it under the
    current umask (``0o666 & ~umask``), also when it replaces an existing
    file. The temporary file is named ``.{name}PARTIAL_TAG{random}.tmp``
    (see :func:`is_partial_file`). On any failure (disk full, an exception
    in ``write``, Ctrl-C) the temporary file is removed, ``path`` is left as
    it was, and the error propagates; a failed write (also one torch
    reports as a ``RuntimeError``) becomes one ``OSError`` whose message
    names ``path`` and the cause, e.g. ``could not write out.pth (No space
    left on device); ...``.

    Args:
        path (str): The file to write; its folder is created if needed.
        write (Callable[[BinaryIO], None]): Writes the content to the file
            it is given (opened ``'wb'``; ``f.name`` is its path, for
            writers that open it again).
    """
    path = osp.abspath(path)
    dirname, base = osp.split(path)
    os.makedirs(dirname, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{base}{PARTIAL_TAG}', suffix='.tmp',
                               dir=dirname)
    try:
        try:
            os.fchmod(fd, new_file_mode())
        finally:
            os.close(fd)
        with open(tmp, 'wb') as f:  # f.name is the temporary path
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        os_error = (_os_error_in(e)
                    if isinstance(e, (OSError, RuntimeError)) else None)
        if os_error is not None and path not in str(e):
            cause = os_error.strerror or str(os_error)
            message = (f'could not write {path} ({cause}); the file there '
                       'before, if any, is unchanged')
            raise (OSError(os_error.errno, message) if os_error.errno else
                   OSError(message)) from e
        if isinstance(e, RuntimeError) and 'write' in str(e).lower():
            # torch.save reports some failed writes as a RuntimeError alone
            raise OSError(
                f'could not write {path} ({e}); the file there before, if '
                'any, is unchanged') from e
        raise
    _fsync_dir(dirname)


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save(obj, path)`` through :func:`atomic_write`."""
    atomic_write(path, lambda f: torch.save(obj, f))
