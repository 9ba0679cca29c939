"""How much memory autograd keeps for backward."""
from typing import Any, Callable, Tuple

import torch


def saved_tensor_bytes(fn: Callable[[], Any]) -> Tuple[Any, int]:
    """Call ``fn()`` and return its result with the bytes of the distinct
    storages autograd saved for backward meanwhile (views of one storage
    count once, at its size)."""
    storages = {}

    def pack(t):
        s = t.untyped_storage()
        storages[s.data_ptr()] = max(storages.get(s.data_ptr(), 0), s.nbytes())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, sum(storages.values())
