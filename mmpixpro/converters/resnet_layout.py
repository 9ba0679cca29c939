"""The ResNet layout of backbone files: torchvision's key names
(``conv1``, ``bn1``, ``layer1.0.conv1`` ...), the shapes they must have
for the architecture they describe, and detectron2's names for them.

ResNet-only: the other backbones' files (see :mod:`.backbone`) have no
detectron2 counterpart and are checked by the ``load_state_dict`` of the
model that reads them.
"""
import re
from collections import OrderedDict
from typing import Dict, Tuple

import torch

from .safe_load import CheckpointError

_D2_RULES = (
    (re.compile(r'^layer(\d)\.'), lambda m: f'res{int(m.group(1)) + 1}.'),
    (re.compile(r'\.bn(\d)\.'), lambda m: f'.conv{m.group(1)}.norm.'),
    (re.compile(r'\.downsample\.0\.'), lambda m: '.shortcut.'),
    (re.compile(r'\.downsample\.1\.'), lambda m: '.shortcut.norm.'),
)


def to_detectron2(backbone: Dict[str, torch.Tensor]) -> 'OrderedDict':
    """torchvision-named ResNet weights -> detectron2 names, as numpy.

    ``conv1``/``bn1`` -> ``stem.conv1(.norm)``, ``layerN`` -> ``res{N+1}``,
    ``bnK`` -> ``convK.norm``, ``downsample.0/1`` -> ``shortcut(.norm)``;
    ``num_batches_tracked`` is dropped (detectron2 has no such buffer).
    """
    out = OrderedDict()
    for key, value in backbone.items():
        if key.endswith('num_batches_tracked'):
            continue
        if key.startswith('bn1.'):
            new = 'stem.conv1.norm.' + key[len('bn1.'):]
        elif key == 'conv1.weight':
            new = 'stem.conv1.weight'
        elif key.startswith('layer'):
            new = key
            for pattern, repl in _D2_RULES:
                new = pattern.sub(repl, new)
        else:
            raise CheckpointError(
                f'backbone key "{key}" has no detectron2 ResNet counterpart')
        out[new] = value.detach().cpu().numpy()
    return out


# ResNet depth by block type and blocks per stage, for messages.
_DEPTHS = {('basic', (2, 2, 2, 2)): 18, ('basic', (3, 4, 6, 3)): 34,
           ('bottleneck', (3, 4, 6, 3)): 50,
           ('bottleneck', (3, 4, 23, 3)): 101,
           ('bottleneck', (3, 8, 36, 3)): 152}


def _mode(values):
    values = [v for v in values if v is not None]
    return max(set(values), key=values.count) if values else None


def _width(state_dict, conv, bn):
    """The channel count most of ``conv``'s output and ``bn``'s tensors
    agree on (so one damaged tensor is the one named)."""
    votes = []
    w = state_dict.get(conv + '.weight')
    if isinstance(w, torch.Tensor) and w.dim() == 4:
        votes.append(w.shape[0])
    for name in ('weight', 'bias', 'running_mean', 'running_var'):
        t = state_dict.get(f'{bn}.{name}')
        if isinstance(t, torch.Tensor) and t.dim() == 1:
            votes.append(t.shape[0])
    return _mode(votes)


def resnet_expected_shapes(state_dict: Dict) -> Tuple[Dict[str, tuple], str]:
    """The shape every tensor of a torchvision-named ResNet state dict
    (``conv1.weight``, ``layer1.0.conv1.weight`` ...) must have for the
    architecture its keys claim: block type (``conv3`` present: bottleneck),
    blocks per stage (the ``layerN.M`` indices), stem and stage widths (what
    most tensors of the stem and of each stage's first block say), 3 input
    channels. Returns ``(shapes, description)``."""
    block = 'bottleneck' if any(
        re.match(r'layer\d\.\d+\.conv3\.', k) for k in state_dict) else 'basic'
    counts = []
    for stage in range(1, 5):
        idx = {int(m.group(1)) for k in state_dict
               for m in [re.match(rf'layer{stage}\.(\d+)\.', k)] if m}
        counts.append(max(idx) + 1 if idx else 0)
    expansion = 4 if block == 'bottleneck' else 1
    stem = _width(state_dict, 'conv1', 'bn1')
    depth = _DEPTHS.get((block, tuple(counts)))
    name = f'ResNet-{depth}' if depth else (
        f'ResNet ({block} blocks {tuple(counts)})')
    shapes = {'conv1.weight': (stem, 3, 7, 7)}
    bn = lambda p, c: shapes.update({  # noqa: E731
        f'{p}.weight': (c, ), f'{p}.bias': (c, ), f'{p}.running_mean': (c, ),
        f'{p}.running_var': (c, ), f'{p}.num_batches_tracked': ()})
    bn('bn1', stem)
    inplanes, widths = stem, []
    for stage, count in enumerate(counts, 1):
        planes = _width(state_dict, f'layer{stage}.0.conv1',
                        f'layer{stage}.0.bn1')
        widths.append(planes)
        for j in range(count):
            p = f'layer{stage}.{j}'
            if block == 'bottleneck':
                convs = [(planes, inplanes, 1, 1), (planes, planes, 3, 3),
                         (planes * 4, planes, 1, 1)]
            else:
                convs = [(planes, inplanes, 3, 3), (planes, planes, 3, 3)]
            for k, shape in enumerate(convs, 1):
                shapes[f'{p}.conv{k}.weight'] = shape
                bn(f'{p}.bn{k}', shape[0])
            if j == 0 and f'{p}.downsample.0.weight' in state_dict:
                shapes[f'{p}.downsample.0.weight'] = (planes * expansion,
                                                      inplanes, 1, 1)
                bn(f'{p}.downsample.1', planes * expansion)
            inplanes = planes * expansion
    return shapes, f'{name}, stem {stem}, stage widths {tuple(widths)}'


def check_resnet_shapes(state_dict: Dict, source: str = 'the checkpoint'):
    """Raise :class:`CheckpointError` naming the first tensors whose
    shape does not fit the ResNet the keys claim (see
    :func:`resnet_expected_shapes`); ``fc.*`` and keys outside the ResNet
    (``neck.*`` ...) are not checked."""
    resnet = {k: v for k, v in state_dict.items()
              if re.match(r'(conv1|bn1|layer\d)\.', k)}
    shapes, arch = resnet_expected_shapes(resnet)
    bad = []
    for key, value in resnet.items():
        want = shapes.get(key)
        found = tuple(getattr(value, 'shape', ()))
        if want is not None and None not in want and found != tuple(want):
            bad.append(f'{key}: found {found}, expected {tuple(want)}')
    if bad:
        raise CheckpointError(
            f'{source}: {len(bad)} tensor(s) do not fit the {arch} its keys '
            f'describe: ' + '; '.join(bad[:5]) +
            (' ...' if len(bad) > 5 else '') + ' (nothing written)')
