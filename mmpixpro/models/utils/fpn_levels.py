"""The loss levels of PixPro with an FPN: which outputs, their weights and
their log names (docs/pretraining.md, "Head-network pre-training")."""
from typing import Optional, Sequence, Tuple

import torch.nn as nn


def check_levels(owner: str, fpn: nn.Module, levels: Optional[Sequence[int]],
                 weights: Optional[Sequence[float]]) -> Tuple[tuple, tuple]:
    """The loss levels and their weights, normalised to sum 1.

    Args:
        owner (str): The class that takes the options, named in errors.
        fpn (nn.Module): The FPN; its ``num_outs``, when it has one, bounds
            the indices.
        levels (Sequence[int], optional): Distinct indices of FPN outputs;
            None: all ``num_outs`` of them.
        weights (Sequence[float], optional): One weight >= 0 per level, not
            all 0; None: equal weights.

    Returns:
        tuple[tuple, tuple]: ``(levels, weights)``.

    Raises:
        ValueError: If the levels or weights are invalid.
    """
    num_outs = getattr(fpn, 'num_outs', None)
    if levels is None:
        if num_outs is None:
            raise ValueError(f'{owner}: set levels (this fpn has no '
                             'num_outs)')
        levels = range(num_outs)
    levels = tuple(int(i) for i in levels)
    if (not levels or len(set(levels)) < len(levels) or
            any(i < 0 or (num_outs is not None and i >= num_outs)
                for i in levels)):
        raise ValueError(f'{owner}: levels must be distinct indices of '
                         f'the {num_outs} FPN outputs, got {levels!r}')
    weights = (1., ) * len(levels) if weights is None else tuple(
        float(w) for w in weights)
    if (len(weights) != len(levels) or any(w < 0 for w in weights)
            or not sum(weights) > 0):
        raise ValueError(f'{owner}: level_weights must be one weight >= 0 '
                         f'per level (levels {levels!r}), not all 0, '
                         f'got {weights!r}')
    return levels, tuple(w / sum(weights) for w in weights)


def level_names(backbone: nn.Module, fpn: nn.Module,
                levels: Sequence[int]) -> Tuple[str, ...]:
    """``('p3', 'p4', ...)``: FPN output i is P(k + i), with C(k) the FPN's
    first input (ResNet stage 0 is C2); ``level{i}`` when the backbone or
    the FPN does not tell.

    Args:
        backbone (nn.Module): The backbone (its ``out_indices``).
        fpn (nn.Module): The FPN (its ``start_level``).
        levels (Sequence[int]): Indices of FPN outputs.

    Returns:
        tuple[str]: One name per level.
    """
    try:
        first = 2 + min(backbone.out_indices) + fpn.start_level
    except (AttributeError, TypeError, ValueError):
        return tuple(f'level{i}' for i in levels)
    return tuple(f'p{first + i}' for i in levels)
