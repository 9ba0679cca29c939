"""Proof that pre-trained weights arrived: compare a built downstream model
with the checkpoint its ``Pretrained`` init_cfgs name."""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS
from mmengine.runner.checkpoint import _load_checkpoint


def set_pretrained(node, path: str) -> int:
    """Point every ``Pretrained`` init_cfg in a (model) config at ``path``;
    returns how many there were."""
    if isinstance(node, dict):
        if node.get('type') == 'Pretrained':
            node['checkpoint'] = path
            return 1
        return sum(set_pretrained(v, path) for v in node.values())
    if isinstance(node, (list, tuple)):
        return sum(set_pretrained(v, path) for v in node)
    return 0


def pretrained_modules(model: nn.Module) -> List[Tuple[str, nn.Module, str]]:
    """``(name, module, checkpoint)`` for every module whose init_cfg is
    ``Pretrained`` (backbone; for C4 detectors also the res5 shared head)."""
    found = []
    for name, module in model.named_modules():
        cfgs = getattr(module, 'init_cfg', None)
        for cfg in cfgs if isinstance(cfgs, list) else [cfgs]:
            if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
                found.append((name, module, cfg['checkpoint']))
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
                             new_modules: Sequence[str] = ('norm', ),
                             logger=None) -> Dict[str, dict]:
    """Check every ``Pretrained`` module of a downstream model against its
    checkpoint, log a report per module, and raise when a tensor that the
    checkpoint should have filled was not filled.

    Tensors under ``new_modules`` (layers the recipe adds, such as the C4
    head's extra ``norm`` after res5) may be missing from the checkpoint. A checkpoint
    tensor that no checked module took is reported as unexpected.
    """
    if is_model_wrapper(model):
        model = model.module
    reports, used, cache = {}, {}, {}
    for name, module, path in pretrained_modules(model):
        if path not in cache:
            ckpt = _load_checkpoint(path, map_location='cpu')
            cache[path] = ckpt.get('state_dict', ckpt)
            used[path] = set()
        weights = cache[path]
        report = compare_module(module, weights)
        used[path].update(report['filled'] + report['different'])
        reports[name] = report
    if not reports:
        raise RuntimeError('no module of the model has a Pretrained init_cfg '
                           '(set the pre-trained checkpoint in the config)')
    problems = []
    for name, report in reports.items():
        unfilled = report['different'] + [
            k for k in report['missing']
            if not any(k.startswith(m + '.') for m in new_modules)
        ]
        line = (f'{name}: {len(report["filled"])} tensors filled from the '
                f'checkpoint, {len(report["missing"])} missing, '
                f'{len(report["different"])} not equal to it')
        if logger:
            logger.info(line)
        if unfilled:
            problems.append(f'{name}: {len(unfilled)} tensors not filled, '
                            f'e.g. {unfilled[:5]}')
    for path, weights in cache.items():
        unexpected = sorted(set(weights) - used[path])
        reports.setdefault('unexpected', {})[path] = unexpected
        if logger and unexpected:
            logger.info(f'{path}: {len(unexpected)} checkpoint tensors used '
                        f'by no module, e.g. {unexpected[:5]}')
    if problems:
        raise RuntimeError('pre-trained weights did not arrive: ' +
                           '; '.join(problems))
    return reports


@HOOKS.register_module()
class PretrainedWeightsCheckHook(Hook):
    """Run :func:`check_pretrained_weights` once the model is initialised,
    before the first iteration (skipped when resuming a run)."""

    priority = 'VERY_HIGH'

    def __init__(self, new_modules: Sequence[str] = ('norm', )) -> None:
        self.new_modules = tuple(new_modules)

    def before_train(self, runner) -> None:
        if runner.iter > 0:
            return
        check_pretrained_weights(runner.model, self.new_modules,
                                 runner.logger)
