"""Reading checkpoint files safely: the one place where mmpixpro opens
them.

Reading never runs code from the file. Every load uses torch's
``weights_only`` unpickler, which builds tensors, containers and plain
values and refuses any other global, with the few types that our, mmengine's,
mmpretrain's and the authors' checkpoints really hold added to its
allow-list (:data:`SAFE_GLOBALS`, measured by writing real checkpoints):

- numpy arrays, scalars and dtypes (mmengine's message hub and meta keep
  numpy values), under both numpy 1's (``numpy.core``) and numpy 2's
  (``numpy._core``) module names;
- ``mmengine.logging.HistoryBuffer`` (the message hub's logged scalars),
  and the ``getattr(HistoryBuffer, 'min')``-style references to its
  statistics methods that its pickled state holds. Only those: ``getattr``
  is allowed on nothing else;
- ``argparse.Namespace`` (the authors' training-time checkpoints keep their
  command-line options).

A file that needs anything else is refused with a :class:`CheckpointError`
naming the file and the types it wanted; it loads only with an explicit
opt-in (``unsafe=True``: ``--unsafe-load`` in the tools, ``unsafe_load =
True`` in a training config), which uses the full unpickler and so runs
whatever the file holds.

Writing is elsewhere: :mod:`mmpixpro.utils.atomic_write` (atomic files) and
:mod:`.command_line` (the tools' ``--force`` and ``--unsafe-load``).
"""
import argparse
import contextlib
import io
import os.path as osp
import pickle
import pickletools
import re
import zipfile
from typing import Any, Dict, List, Optional

import numpy as np
import torch

__all__ = [
    'CheckpointError', 'SAFE_GLOBALS', 'TOOL_HINT', 'register_safe_globals',
    'unsafe_load', 'unsafe_load_enabled', 'globals_in_file',
    'load_checkpoint_file'
]

#: How a refusal says to opt in, by default (the tools' flag).
TOOL_HINT = ('pass --unsafe-load to load it anyway, only if you trust the '
             'file: it then runs whatever code the file holds')


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read safely, or is not what the
    reader expected. Every message names the file."""


# ------------------------------------------------------------- allow-list


def _history_buffer_method(obj, name: str):
    """``getattr`` for the one use the allow-list has for it: mmengine's
    ``HistoryBuffer`` pickles its statistics methods (``min``, ``max``,
    ``current``, ``mean`` and registered ones) as ``getattr(HistoryBuffer,
    name)``."""
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and (name in HistoryBuffer._statistics_methods
                                 or name in ('min', 'max', 'current', 'mean')):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'getattr({getattr(obj, "__name__", type(obj).__name__)}, {name!r}) '
        'is not allowed (only HistoryBuffer statistics methods are)')


def _numpy_globals() -> Dict[str, Any]:
    from numpy import dtype, ndarray
    try:
        multiarray = np._core.multiarray  # numpy >= 2
    except AttributeError:
        multiarray = np.core.multiarray
    out = {'numpy.ndarray': ndarray, 'numpy.dtype': dtype}
    for name in ('_reconstruct', 'scalar'):
        for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
            out[f'{module}.{name}'] = getattr(multiarray, name)
    # The dtype classes of numeric, boolean, string and date values
    # (numpy >= 1.25 pickles dtypes through them); not object or void.
    for code in '?bBhHiIlLqQefdgFDGSUMm':
        cls = type(np.dtype(code))
        if cls is not np.dtype:
            out[f'{cls.__module__}.{cls.__qualname__}'] = cls
    return out


def _build_safe_globals() -> Dict[str, Any]:
    from mmengine.logging import HistoryBuffer
    out = _numpy_globals()
    out['mmengine.logging.history_buffer.HistoryBuffer'] = HistoryBuffer
    out['builtins.getattr'] = _history_buffer_method
    out['argparse.Namespace'] = argparse.Namespace
    return out


#: qualified name -> object for every global a checkpoint may hold.
SAFE_GLOBALS: Dict[str, Any] = _build_safe_globals()
_registered = False


def register_safe_globals() -> None:
    """Add :data:`SAFE_GLOBALS` to torch's ``weights_only`` allow-list (once
    per process; a no-op on torch without ``add_safe_globals``)."""
    global _registered
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if _registered or add is None:
        return
    add([(obj, name) for name, obj in SAFE_GLOBALS.items()])
    _registered = True


register_safe_globals()

# --------------------------------------------------------------- opt-in

_unsafe_depth = 0


@contextlib.contextmanager
def unsafe_load(enabled: bool = True):
    """Within this block, :func:`load_checkpoint_file` (and so mmengine's
    loading of local files) uses the full unpickler: the explicit opt-in
    behind ``--unsafe-load`` and ``unsafe_load = True``.

    Args:
        enabled (bool): Whether the block opts in; False leaves loading
            safe. Defaults to True.
    """
    global _unsafe_depth
    _unsafe_depth += bool(enabled)
    try:
        yield
    finally:
        _unsafe_depth -= bool(enabled)


def unsafe_load_enabled() -> bool:
    """Whether an :func:`unsafe_load` block is active."""
    return _unsafe_depth > 0


# --------------------------------------------------------------- reading


class _RestrictedUnpickler(pickle.Unpickler):
    """Python's documented way to unpickle with restricted globals, for
    plain pickle files (detectron2's ``.pkl``): only :data:`SAFE_GLOBALS`
    resolve."""

    def find_class(self, module, name):
        full = f'{module}.{name}'
        if module == '__builtin__':
            full = f'builtins.{name}'
        if full in SAFE_GLOBALS:
            return SAFE_GLOBALS[full]
        raise pickle.UnpicklingError(f'global {full} is not allowed')


def globals_in_file(path: str) -> List[str]:
    """The globals (``module.name``) a checkpoint's pickle refers to, found
    by reading its opcodes: nothing in it is executed."""
    found = []
    try:
        with open(path, 'rb') as f:
            if zipfile.is_zipfile(f):
                with zipfile.ZipFile(f) as z:
                    name = next((n for n in z.namelist()
                                 if n.endswith('data.pkl')), None)
                    data = io.BytesIO(z.read(name)) if name else None
            else:
                f.seek(0)
                data = io.BytesIO(f.read())
        if data is None:
            return []
        strings, memo = [], {}
        # A legacy torch file is several pickles in a row (then raw
        # storage bytes, where the parse stops). STACK_GLOBAL takes the
        # two strings pushed last, literally or from the memo.
        while data.tell() < len(data.getvalue()):
            for op, arg, _ in pickletools.genops(data):
                if op.name == 'GLOBAL':
                    found.append(arg.replace(' ', '.'))
                elif op.name == 'STACK_GLOBAL' and len(strings) >= 2:
                    if None not in strings[-2:]:
                        found.append(f'{strings[-2]}.{strings[-1]}')
                    strings.append(None)
                elif op.name == 'MEMOIZE':
                    memo[len(memo)] = strings[-1] if strings else None
                elif op.name in ('PUT', 'BINPUT', 'LONG_BINPUT'):
                    memo[int(arg)] = strings[-1] if strings else None
                elif op.name in ('GET', 'BINGET', 'LONG_BINGET'):
                    strings.append(memo.get(int(arg)))
                elif isinstance(arg, str):
                    strings.append(arg)
                else:
                    strings.append(None)
    except Exception:  # a truncated or foreign file: report what we have
        pass
    return list(dict.fromkeys(
        g.replace('__builtin__.', 'builtins.') for g in found))


def _refusal(path: str, error: Exception, hint: str) -> CheckpointError:
    wanted = [g for g in globals_in_file(path) if g not in SAFE_GLOBALS]
    if not wanted:
        named = re.findall(r'GLOBAL (\S+) was not an allowed', str(error))
        lines = [line.strip() for line in str(error).splitlines()
                 if 'not allowed' in line or 'Unsupported' in line]
        wanted = named or lines[:1] or [str(error).strip()[:300]]
    what = ', '.join(wanted[:6]) + (' ...' if len(wanted) > 6 else '')
    return CheckpointError(
        f'{path}: refused to load: it needs {what}, which no checkpoint of '
        'weights holds (mmpixpro loads checkpoints with weights_only=True, so '
        f'no code from the file runs); {hint}')


_REFUSALS = ('Unsupported global', 'was not an allowed global',
             'Can only build', 'Can only create new object',
             'unrecognized function', 'is not allowed', 'is blocked')


def _is_unsafe_refusal(error: Exception) -> bool:
    """Whether torch's weights_only unpickler refused a type (rather than
    failing to parse the file)."""
    return isinstance(error, pickle.UnpicklingError) and any(
        text in str(error) for text in _REFUSALS)


def load_checkpoint_file(path: str,
                         map_location: Any = 'cpu',
                         unsafe: Optional[bool] = None,
                         hint: str = TOOL_HINT) -> Any:
    """The object in a checkpoint file: ``torch.save``'s zip or legacy
    format, or a plain pickle (detectron2's ``.pkl``), read with the
    ``weights_only`` unpickler and :data:`SAFE_GLOBALS`.

    Args:
        path (str): The file.
        map_location (Any): As for ``torch.load``. Defaults to ``'cpu'``.
        unsafe (bool, optional): Use the full unpickler, which runs any
            code the file holds. Defaults to None: whether
            :func:`unsafe_load` is active.
        hint (str): How a refusal says to opt in, when the file needs
            more types. Defaults to :data:`TOOL_HINT` (``--unsafe-load``).

    Returns:
        Any: What the file holds.

    Raises:
        FileNotFoundError: No such file.
        CheckpointError: Anything else, naming the file.
    """
    path = osp.expanduser(str(path))
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint {path} does not exist')
    if unsafe is None:
        unsafe = unsafe_load_enabled()
    register_safe_globals()
    try:
        return torch.load(path, map_location=map_location,
                          weights_only=not unsafe)
    except Exception as e:  # noqa: B902  (every failure becomes one type)
        error = e
    if not unsafe and _is_unsafe_refusal(error):
        raise _refusal(path, error, hint) from None
    if not zipfile.is_zipfile(path):
        # Not torch's format: a plain pickle, read with the same allow-list.
        try:
            with open(path, 'rb') as f:
                obj = (pickle.load(f) if unsafe else
                       _RestrictedUnpickler(f).load())
            # A damaged legacy torch file starts with torch's magic number:
            # report torch's error, not the number.
            if obj != getattr(torch.serialization, 'MAGIC_NUMBER', None):
                return obj
        except pickle.UnpicklingError as e:
            if 'is not allowed' in str(e):
                raise _refusal(path, e, hint) from None
            error = e
        except Exception as e:  # noqa: B902
            error = e
    raise CheckpointError(
        f'{path}: expected a checkpoint; found a file torch cannot read '
        f'({type(error).__name__}: '
        f'{str(error).strip().splitlines()[-1][:300] if str(error) else ""})'
    ) from None
