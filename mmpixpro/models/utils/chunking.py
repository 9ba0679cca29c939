"""Row blocks: the one loop behind every ``chunk_size`` option.

The PPM and both pixel losses can take ``chunk_size`` rows (pixels of one
view) at a time instead of building an (N, HW, HW) matrix at once
(docs/pretraining.md, "Large feature maps: chunk_size").
"""
import numbers
from typing import Any, Callable, List, Optional

import torch
from torch.utils.checkpoint import checkpoint


def check_chunk_size(owner: str, chunk_size: Any) -> Optional[int]:
    """Validate a ``chunk_size`` option.

    Args:
        owner (str): The class that takes the option, named in the error.
        chunk_size (int, optional): Rows per block, or None for no chunking.

    Returns:
        int or None: ``chunk_size`` as an int, or None.

    Raises:
        ValueError: If ``chunk_size`` is neither None nor a positive int.
    """
    if chunk_size is None:
        return None
    if (isinstance(chunk_size, numbers.Integral)
            and not isinstance(chunk_size, bool) and chunk_size > 0):
        return int(chunk_size)
    raise ValueError(f'{owner}: chunk_size must be a positive int (rows per '
                     f'block) or None (no chunking), got {chunk_size!r}')


def map_row_blocks(fn: Callable[[int, int], Any],
                   num_rows: int,
                   chunk_size: int,
                   recompute: bool = False) -> List[Any]:
    """``fn(start, stop)`` for each block of ``chunk_size`` rows, in order.

    With ``recompute``, each call runs under activation checkpointing
    (``torch.utils.checkpoint``, non-reentrant): backward keeps none of the
    block's intermediate tensors and runs ``fn`` again to get them, so what
    a block builds (an (N, R, HW) similarity or mask) is never held for all
    blocks at once. ``fn`` may read tensors from its closure; gradients
    reach them. It must be deterministic (no RNG state is restored).

    Args:
        fn (Callable[[int, int], Any]): Computes the block of rows
            ``start:stop``.
        num_rows (int): The number of rows.
        chunk_size (int): Rows per block; the last block may be shorter.
        recompute (bool): Checkpoint each block. Defaults to False.

    Returns:
        list: The blocks' results, in row order.
    """
    blocks = []
    for start in range(0, num_rows, chunk_size):
        stop = min(start + chunk_size, num_rows)
        if recompute:
            blocks.append(
                checkpoint(fn, start, stop, use_reentrant=False,
                           preserve_rng_state=False))
        else:
            blocks.append(fn(start, stop))
    return blocks
