"""Reading pre-trained weights: what kind of file, which weights.

Every tool and package function that takes a pre-trained checkpoint reads
it here, on top of the safe reader :func:`load_checkpoint_file`. A file is
one of three kinds:

- ``'pretraining'``: an mmengine checkpoint of a whole pre-training model,
  ``{'state_dict': ...}`` with ``backbone.*`` (ours: target at
  ``target_net.module.backbone.*``; mmpretrain's BYOL: target at
  ``target_net.module.0.*``);
- ``'released'``: the authors' released layout, ``{'model': ...}`` with
  ``module.encoder.*`` (docs/recipe.md, "Released checkpoints"), converted
  to our names by :func:`convert_official_state_dict`;
- ``'backbone'``: a backbone's weights under its module's names (ResNet:
  torchvision's ``conv1.weight``, ``layer1.0.conv1.weight`` ...; ConvNeXt,
  Swin, ViT: mmpretrain's), recognised by their prefixes
  (:func:`backbone_family`), as extract_backbone_weights.py writes them
  (``{'state_dict': ...}``) or, where a caller allows it, a bare
  ``torch.save(backbone.state_dict())``.

:func:`read_pretrained` says which kind a file is and refuses the kinds a
caller cannot use; :class:`PretrainedCheckpoint` then gives the whole model
(:meth:`~PretrainedCheckpoint.model_weights`) or the online or target
backbone (:meth:`~PretrainedCheckpoint.backbone_weights`). Every problem is a
:class:`CheckpointError` whose message names the file.
"""
import contextlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple

import torch

from .backbone import (FAMILY_KEYS, ONLINE, backbone_family,
                       backbone_state_dict, is_backbone_state_dict)
from .safe_load import CheckpointError, load_checkpoint_file
from .official import convert_official_state_dict

__all__ = [
    'PRETRAINING', 'RELEASED', 'BACKBONE', 'KINDS', 'PretrainedCheckpoint',
    'read_pretrained', 'read_backbone_weights', 'describe'
]

PRETRAINING, RELEASED, BACKBONE = 'pretraining', 'released', 'backbone'
KINDS = (PRETRAINING, RELEASED, BACKBONE)
# What each kind looks like, for "expected ..." in messages.
EXPECTED = {
    PRETRAINING: "a pre-training checkpoint (ours or mmpretrain's BYOL: an "
    "mmengine 'state_dict' with backbone.*)",
    RELEASED: "a released PixPro checkpoint (a 'model' state dict with "
    'module.encoder.* ...)',
    BACKBONE: f'backbone weights ({FAMILY_KEYS})',
}
# The names the converters have always printed and written (the ``meta``
# of extract_backbone_weights.py's files) for each kind of source file.
SOURCE_NAMES = {PRETRAINING: 'mmpixpro', RELEASED: 'released',
                BACKBONE: 'backbone'}
# How the converters' messages name a source file: 'pretraining' is any
# mmengine checkpoint with backbone.* (ours, BYOL's, an mmdet or mmseg
# fine-tune's).
SOURCE_WORDS = {PRETRAINING: 'an mmengine checkpoint',
                RELEASED: 'a released checkpoint', BACKBONE: 'a backbone file'}


def _is_detectron2(model: dict) -> bool:
    return any(str(k).startswith(('stem.', 'res2.')) for k in model)


def describe(obj: Any) -> str:
    """A short description of what a checkpoint file holds, for errors."""
    if not isinstance(obj, dict):
        return f'a {type(obj).__name__}'
    keys = list(obj)
    if isinstance(obj.get('state_dict'), dict):
        inner = list(obj['state_dict'])[:3]
        family = backbone_family(obj['state_dict'])
        what = (f'a {family} backbone file'
                if family and not _holds_encoder(PRETRAINING,
                                                 obj['state_dict']) else
                'an mmengine checkpoint')
        return f'{what} (state_dict keys like {inner})'
    if isinstance(obj.get('model'), dict):
        if _is_detectron2(obj['model']):
            return 'a detectron2 weights file (.pkl)'
        return f"a dict with 'model' keys like {list(obj['model'])[:3]}"
    if keys and all(isinstance(v, torch.Tensor) for v in obj.values()):
        family = backbone_family(obj)
        hint = (' (a torchvision-style ResNet)' if 'fc.weight' in obj
                or 'conv1.weight' in obj else
                f' (a {family} backbone)' if family else '')
        return f'a bare state dict{hint} with keys like {keys[:3]}'
    return f'a dict with top-level keys {keys[:6]}'


@contextlib.contextmanager
def _naming(path: str) -> Iterator[None]:
    """Put ``path`` in front of the message of a :class:`CheckpointError`
    raised in the block (the state-dict functions do not know the file)."""
    try:
        yield
    except CheckpointError as error:
        raise CheckpointError(f'{path}: {error}') from None


def _holds_encoder(kind: str, state_dict: Dict) -> bool:
    return kind == RELEASED or any(k.startswith(ONLINE) for k in state_dict)


@dataclass
class PretrainedCheckpoint:
    """A checkpoint file read by :func:`read_pretrained`.

    ``kind`` is one of :data:`KINDS`; ``state_dict`` the weights as the file
    stores them (for ``'released'`` the authors' ``module.*`` keys).
    """
    path: str
    kind: str
    state_dict: Dict[str, torch.Tensor]

    @property
    def source_name(self) -> str:
        """'mmpixpro', 'released' or 'backbone': the kind as the converters
        print it and write it into their outputs' ``meta``."""
        return SOURCE_NAMES[self.kind]

    @property
    def source_words(self) -> str:
        """The kind as the converters' messages name the file ('an mmengine
        checkpoint', 'a released checkpoint', 'a backbone file')."""
        return SOURCE_WORDS[self.kind]

    def model_weights(self) -> Dict[str, torch.Tensor]:
        """The whole pre-training model's state dict under our keys
        (``backbone.*``, ``neck.*``, ``target_net.module.*`` ...)."""
        if self.kind == BACKBONE:
            raise CheckpointError(
                f'{self.path} holds backbone weights only; expected '
                f'{EXPECTED[PRETRAINING]} or {EXPECTED[RELEASED]}')
        if self.kind == RELEASED:
            with _naming(self.path):
                return convert_official_state_dict(self.state_dict)[0]
        return self.state_dict

    def backbone_weights(self,
                         target: bool = False
                         ) -> 'OrderedDict[str, torch.Tensor]':
        """The online (or, with ``target``, the momentum) backbone's
        weights under its module's names (ResNet: ``conv1.weight`` ...)."""
        if self.kind != BACKBONE:
            weights = self.model_weights()
            with _naming(self.path):
                return backbone_state_dict(weights, target=target)
        if target:
            raise CheckpointError(
                f'{self.path} is a backbone file, which holds one encoder '
                'only; --target needs a pre-training checkpoint')
        return OrderedDict(self.state_dict)


def _classify(obj: Any, bare_state_dict: bool) -> Tuple[Optional[str], Dict]:
    """``(kind, state_dict)`` of a loaded file; kind None when it is none of
    :data:`KINDS`."""
    if not isinstance(obj, dict):
        return None, {}
    if isinstance(obj.get('state_dict'), dict):
        state_dict = obj['state_dict']
        if (not _holds_encoder(PRETRAINING, state_dict)
                and is_backbone_state_dict(state_dict)):
            return BACKBONE, state_dict
        return PRETRAINING, state_dict
    if isinstance(obj.get('model'), dict):
        if _is_detectron2(obj['model']):
            return None, {}
        return RELEASED, obj['model']
    if (bare_state_dict and is_backbone_state_dict(obj)
            and all(isinstance(v, torch.Tensor) for v in obj.values())):
        return BACKBONE, obj
    return None, {}


def read_pretrained(path: str,
                    kinds: Sequence[str] = KINDS,
                    unsafe: Optional[bool] = None,
                    bare_state_dict: bool = False) -> PretrainedCheckpoint:
    """Read a checkpoint file and say what kind it is.

    Args:
        path: the file; read with :func:`load_checkpoint_file` (torch's
            ``weights_only`` unpickler and the allow-list), so a file that
            needs more is refused unless ``unsafe``.
        kinds: the kinds the caller can use; others are refused, with what
            was expected and what the file holds.
        unsafe: use the full unpickler (default: whether
            :func:`unsafe_load` is active).
        bare_state_dict: also take a bare backbone state dict (no
            ``'state_dict'`` around it) as a ``'backbone'`` file.
    Raises:
        FileNotFoundError: no such file.
        CheckpointError: anything else, naming the file.
    """
    obj = load_checkpoint_file(path, unsafe=unsafe)
    kind, state_dict = _classify(obj, bare_state_dict)
    if kind is not None and kind in kinds:
        return PretrainedCheckpoint(str(path), kind, state_dict)
    if (tuple(kinds) == (BACKBONE, ) and kind is not None
            and _holds_encoder(kind, state_dict)):
        raise CheckpointError(
            f'{path} is a pre-training checkpoint; expected backbone '
            'weights: run tools/model_converters/extract_backbone_weights.py '
            'on it first')
    expected = ' or '.join(EXPECTED[k] for k in kinds)
    raise CheckpointError(f'{path}: expected {expected}; found '
                          f'{describe(obj)}')


def read_backbone_weights(path: str,
                          target: bool = False,
                          unsafe: Optional[bool] = None
                          ) -> Tuple['OrderedDict[str, torch.Tensor]', str]:
    """Backbone weights (ResNet: ``conv1.weight``, ``layer1.0.conv1.weight``
    ...) from a file of any kind (a bare backbone state dict too), and the
    kind:
    ``'pretraining'``, ``'released'`` or ``'backbone'``. ``target`` takes
    the momentum encoder of a pre-training checkpoint."""
    checkpoint = read_pretrained(path, unsafe=unsafe, bare_state_dict=True)
    return checkpoint.backbone_weights(target), checkpoint.kind
