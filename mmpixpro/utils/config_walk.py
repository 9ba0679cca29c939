"""One walk over nested config dicts and lists, for the tools that find or
rewrite settings wherever they sit (``Pretrained`` init_cfgs, SyncBN norms,
data roots, crop transforms)."""
from typing import Any, Iterator, Tuple

from mmengine.config import Config


def iter_config_dicts(node: Any, key: str = '') -> Iterator[Tuple[str, dict]]:
    """Yield ``(dotted key, dict)`` for every dict in ``node``, parents
    before children, depth first in insertion order.

    ``node`` is a config (``mmengine.Config`` or ``ConfigDict``), a dict, a
    list or tuple, or anything else (which yields nothing). List items are
    keyed by their index: ``'model.backbone'``, ``'pipeline.2'``. The dicts
    are the config's own, so a caller may change their values in place (not
    their keys while the walk is below them).
    """
    if isinstance(node, Config):  # not a dict: walk the ConfigDict it holds
        node = node._cfg_dict
    if isinstance(node, dict):
        yield key, node
        for name, child in node.items():
            yield from iter_config_dicts(child, f'{key}.{name}' if key else
                                         str(name))
    elif isinstance(node, (list, tuple)):
        for i, child in enumerate(node):
            yield from iter_config_dicts(child, f'{key}.{i}' if key else
                                         str(i))


def syncbn_to_bn(node: Any) -> Any:
    """Every ``type='SyncBN'`` dict in ``node`` becomes ``type='BN'``, in
    place (one process or the CPU, where SyncBN cannot run); returns
    ``node``."""
    for _, cfg in iter_config_dicts(node):
        if cfg.get('type') == 'SyncBN':
            cfg['type'] = 'BN'
    return node
