"""What the tools that read or write checkpoint files share on the command
line: the ``--unsafe-load`` opt-in (worded the same in every tool), a
converter's ``--force``, the output check behind it, and the one-line error
they print."""
import argparse
import os.path as osp
from typing import Optional

from .safe_load import CheckpointError

__all__ = [
    'add_unsafe_load_argument', 'add_output_arguments', 'check_output',
    'error_line'
]


def add_unsafe_load_argument(
        parser: argparse.ArgumentParser,
        what: str = 'checkpoints that hold more than weights') -> None:
    """Add the tools' one opt-in flag, ``--unsafe-load``, worded the same
    in every tool.

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
        what (str): What the flag lets the tool read, for its help.
            Defaults to ``'checkpoints that hold more than weights'``.
    """
    parser.add_argument(
        '--unsafe-load', action='store_true',
        help=f'read {what} with the full unpickler, which runs any code in '
        'them: only for files you trust')


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """Add a converter's ``--force`` and ``--unsafe-load``.

    Args:
        parser (argparse.ArgumentParser): The converter's parser.
    """
    parser.add_argument('--force', action='store_true',
                        help='replace the output file if it exists')
    add_unsafe_load_argument(parser, 'an input that holds more than weights')


def check_output(src: Optional[str], dst: str, force: bool = False) -> None:
    """Refuse to write ``dst`` when it is ``src`` (compared as real paths,
    so links and ``./`` count), a folder, or, without ``force``, a file
    that exists.

    Args:
        src (str, optional): The input file; None when there is none.
        dst (str): The output file.
        force (bool): Whether an existing ``dst`` may be replaced
            (``--force``). Defaults to False.

    Raises:
        CheckpointError: The output may not be written; nothing was.
    """
    if src is not None and (
            osp.realpath(src) == osp.realpath(dst) or
            (osp.exists(src) and osp.exists(dst) and osp.samefile(src, dst))):
        raise CheckpointError(
            f'{dst}: the output is the input file; write the output '
            'elsewhere (nothing written)')
    if osp.isdir(dst):
        raise CheckpointError(f'{dst} is a folder; give an output file name')
    if osp.exists(dst) and not force:
        raise CheckpointError(
            f'{dst} exists; pass --force to replace it (nothing written)')


def error_line(source: str, error: Exception) -> str:
    """``'{source}: {error}'``, or the message alone when it already starts
    with ``source`` (the reading API names the file)."""
    message = str(error)
    return message if message.startswith(str(source)) else (
        f'{source}: {message}')
