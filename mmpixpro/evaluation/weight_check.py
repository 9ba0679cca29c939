"""Proof that pre-trained weights arrived: compare a built downstream model
with the checkpoint its ``Pretrained`` init_cfgs name."""
import copy
import logging
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS, MODELS, DefaultScope
from mmengine.runner import CheckpointLoader

from mmpixpro.utils import iter_config_dicts, quiet_mmengine

# Layers that no pre-training provides, allowed to keep their own init: the
# extra norm after res5 in the C4 box head, the per-output norms (norm0,
# norm1 ...) that ConvNeXt and Swin add for the outputs a detector or
# segmentor takes beyond the pre-trained one, and the predictors of a dense
# head whose towers are pre-trained (FCOS: conv_cls, conv_reg,
# conv_centerness and the per-level scales). A name matches a module named
# so, or so followed by a number.
NEW_MODULES = ('norm', 'conv_cls', 'conv_reg', 'conv_centerness', 'scales')


def is_new_module(key: str, new_modules: Sequence[str]) -> bool:
    """Whether a module's tensor ``key`` (``norm0.weight``) lies in one of
    ``new_modules`` (``'norm'``): its first part is that name, or that name
    and a number."""
    first = key.split('.')[0]
    return any(re.fullmatch(rf'{re.escape(m)}\d*', first)
               for m in new_modules)


def set_pretrained(node, path: str) -> int:
    """Point every ``Pretrained`` init_cfg in a (model) config at ``path``;
    returns how many there were."""
    found = [cfg for _, cfg in iter_config_dicts(node)
             if cfg.get('type') == 'Pretrained']
    for cfg in found:  # after the walk: 'checkpoint' may be a new key
        cfg['checkpoint'] = path
    return len(found)


def pretrained_modules(
        model: nn.Module) -> List[Tuple[str, nn.Module, str, str]]:
    """``(name, module, checkpoint, prefix)`` for every module whose init_cfg
    is, or lists, a ``Pretrained`` one (backbone; for C4 detectors also the
    res5 shared head; with head pre-training the FPN and the dense head).
    ``prefix`` is the part of the checkpoint's keys the module takes
    (``'neck.'``), '' when it takes the whole file."""
    found = []
    for name, module in model.named_modules():
        cfgs = getattr(module, 'init_cfg', None)
        for cfg in cfgs if isinstance(cfgs, list) else [cfgs]:
            if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
                prefix = cfg.get('prefix') or ''
                if prefix and not prefix.endswith('.'):
                    prefix += '.'  # as mmengine reads it
                found.append((name, module, cfg['checkpoint'], prefix))
    return found


def compare_module(module: nn.Module, weights: Dict[str, torch.Tensor],
                   prefix: str = '') -> Dict[str, List[str]]:
    """Sort the module's tensors: ``filled`` (equal to the checkpoint's),
    ``different`` (in the checkpoint, but another value), ``missing`` (not in
    the checkpoint)."""
    report = dict(filled=[], different=[], missing=[])
    for key, value in module.state_dict().items():
        source = weights.get(prefix + key)
        if source is None:
            report['missing'].append(key)
        elif source.shape == value.shape and torch.equal(
                source.to(value.device, value.dtype), value):
            report['filled'].append(key)
        else:
            report['different'].append(key)
    return report


def check_pretrained_weights(model: nn.Module,
                             new_modules: Sequence[str] = NEW_MODULES,
                             logger=None) -> Dict[str, dict]:
    """Check every ``Pretrained`` module of a downstream model against its
    checkpoint (the part under its ``prefix``), log a report per module,
    and raise when a tensor that the checkpoint should have filled was not
    filled.

    Tensors under ``new_modules`` (layers the recipe adds: see
    ``NEW_MODULES``) may be missing from the checkpoint. A checkpoint tensor
    that no checked module took is reported as unexpected; but one named as
    a tensor of the model (``neck.*``, ``bbox_head.*`` of a file written
    with ``extract_backbone_weights.py --with-neck``) must have been loaded
    by a ``Pretrained`` module: the check fails when such a part (the FPN,
    the towers) is left to its random init.
    """
    if is_model_wrapper(model):
        model = model.module
    reports, used, cache, loaded = {}, {}, {}, set()
    for name, module, path, prefix in pretrained_modules(model):
        if path not in cache:
            ckpt = CheckpointLoader.load_checkpoint(
                path, map_location='cpu', logger='current')
            cache[path] = ckpt.get('state_dict', ckpt)
            used[path] = set()
        weights = cache[path]
        report = compare_module(module, weights, prefix)
        used[path].update(prefix + k
                          for k in report['filled'] + report['different'])
        loaded.update(f'{name}.{k}' if name else k
                      for k in module.state_dict())
        reports[name] = report
    if not reports:
        raise RuntimeError('no module of the model has a Pretrained init_cfg '
                           '(set the pre-trained checkpoint in the config)')
    problems = []
    for name, report in reports.items():
        unfilled = report['different'] + [
            k for k in report['missing']
            if not is_new_module(k, new_modules)
        ]
        line = (f'{name}: {len(report["filled"])} tensors filled from the '
                f'checkpoint, {len(report["missing"])} missing, '
                f'{len(report["different"])} not equal to it')
        if logger:
            logger.info(line)
        if unfilled:
            problems.append(f'{name}: {len(unfilled)} tensors not filled, '
                            f'e.g. {unfilled[:5]}')
    model_keys = set(model.state_dict())
    for path, weights in cache.items():
        left = sorted(k for k in weights
                      if k in model_keys and k not in loaded)
        if left:
            parts = sorted({k.split('.')[0] for k in left})
            problems.append(
                f'{path} has {len(left)} tensors of the model\'s '
                f'{" and ".join(parts)} that no Pretrained init_cfg loads, '
                f'so they keep their random init, e.g. {left[:3]} (give '
                f"{parts[0]} init_cfg=dict(type='Pretrained', checkpoint=..., "
                f"prefix='{parts[0]}.'), or extract the backbone alone)")
        unexpected = sorted(set(weights) - used[path])
        reports.setdefault('unexpected', {})[path] = unexpected
        if logger and unexpected:
            logger.info(f'{path}: {len(unexpected)} checkpoint tensors used '
                        f'by no module, e.g. {unexpected[:5]}')
    if problems:
        raise RuntimeError('pre-trained weights did not arrive: ' +
                           '; '.join(problems))
    return reports


def build_downstream_model(config: str,
                           pretrained: Optional[str] = None,
                           edit: Optional[Callable[[dict], None]] = None
                           ) -> nn.Module:
    """The model of an mmdet or mmseg config file, built in the config's
    scope and initialised (``init_weights``, which loads every
    ``Pretrained`` init_cfg). ``pretrained`` replaces the checkpoint of all
    of them; ``edit(model_cfg)`` may change the model config first (the
    tests swap SyncBN for BN). No data, no Runner: a SyncBN model builds and
    initialises on CPU without a process group."""
    cfg = Config.fromfile(config)  # imports the config's custom_imports
    if 'model' not in cfg:
        raise ValueError(f'{config} defines no model')
    model_cfg = copy.deepcopy(cfg.model)
    if pretrained is not None and set_pretrained(model_cfg, pretrained) == 0:
        raise ValueError(f'{config} has no Pretrained init_cfg to fill')
    if edit is not None:
        edit(model_cfg)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(model_cfg)
        try:
            model.init_weights()
        except AssertionError as e:
            # mmengine's Pretrained(prefix=...) asserts when the file has
            # no key under the prefix
            if 'is not in the pretrained model' not in str(e):
                raise
            raise RuntimeError(
                f'{config}: {e} (the FPN and tower configs need a file '
                'written by extract_backbone_weights.py --with-neck from '
                'an FPN pre-training)') from e
    return model


def check_config_weights(config: str,
                         pretrained: Optional[str] = None,
                         logger=None) -> Dict[str, dict]:
    """:func:`check_pretrained_weights` on the model of ``config``
    initialised from ``pretrained`` (default: the config's own checkpoint):
    what ``tools/benchmarks/*/dist_train.sh`` would check before its first
    iteration, without data or GPUs."""
    return check_pretrained_weights(
        build_downstream_model(config, pretrained), logger=logger)


def summarize(reports: Dict[str, dict]) -> Dict[str, dict]:
    """Per pre-trained module of :func:`check_pretrained_weights`'s reports:
    ``filled``, how many tensors the file filled, and ``own_init``, the
    ones that kept their own init (layers the recipe adds, like the C4
    head's extra norm)."""
    return {
        name: dict(filled=len(r['filled']), own_init=r['missing'])
        for name, r in reports.items() if name != 'unexpected'
    }


def check_transfer_weights(config: str,
                           backbone_path: Optional[str] = None
                           ) -> Dict[str, dict]:
    """:func:`summarize` of :func:`check_config_weights` on the downstream
    ``config`` initialised from ``backbone_path`` (default: the config's
    own checkpoint): ``{module: {filled, own_init}}``. Raises
    ``RuntimeError`` when a tensor that the file should fill was not
    filled, ``ValueError`` for a config without a model or without a
    ``Pretrained`` init_cfg.

    mmengine's per-parameter init log and unexpected-key lists, and the
    deprecation warnings mmdet's and mmseg's modules emit as a config
    imports them, are silenced: the summary says what matters.
    """
    with quiet_mmengine(logging.ERROR, ignore_warnings=True):
        return summarize(check_config_weights(config, backbone_path))


@HOOKS.register_module()
class PretrainedWeightsCheckHook(Hook):
    """Run :func:`check_pretrained_weights` once the model is initialised,
    before the first iteration (skipped when resuming a run)."""

    priority = 'VERY_HIGH'

    def __init__(self, new_modules: Sequence[str] = NEW_MODULES) -> None:
        self.new_modules = tuple(new_modules)

    def before_train(self, runner) -> None:
        if runner.iter > 0:
            return
        check_pretrained_weights(runner.model, self.new_modules,
                                 runner.logger)
