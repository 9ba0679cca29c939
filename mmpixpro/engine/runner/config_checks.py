"""Configs that cannot train as written: a clear message at build time."""
import difflib
import inspect
from typing import Callable, Optional

from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS
from mmengine.runner import Runner


def _hook_class(hook_type) -> Optional[type]:
    """The class a hook config's ``type`` names in the current scope, or
    None when the registry does not know it (its own error follows)."""
    if inspect.isclass(hook_type):
        return hook_type
    if not isinstance(hook_type, str):
        return None
    with HOOKS.switch_scope_and_registry(None) as registry:
        try:
            return registry.get(hook_type)
        except Exception:  # noqa: BLE001 - left to the build's own error
            return None


def _arguments(fn: Callable):
    """(names of the keyword arguments ``fn`` takes, whether it also takes
    ``**kwargs``)."""
    params = inspect.signature(fn).parameters.values()
    names = [p.name for p in params if p.kind in (
        p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != 'self']
    return names, any(p.kind == p.VAR_KEYWORD for p in params)


def check_hook_arguments(where: str, cfg, save_checkpoint: Callable) -> None:
    """Refuse a hook config key that the hook's ``__init__`` does not take,
    naming the nearest one, as ``--cfg-options`` typos at the top level
    are named.

    A hook whose ``__init__`` takes ``**kwargs`` passes, except
    ``CheckpointHook`` and its subclasses: they hand their extra keys to the
    runner's ``save_checkpoint`` at the first save (mmengine 0.10.7), so
    a typo such as ``max_keep_ckpt`` would otherwise fail only there, many
    iterations in. Their keys are checked against both signatures.

    Args:
        where (str): the config key of the hook, for the message (e.g.
            ``default_hooks.checkpoint``).
        cfg (dict): the hook's config (``type`` and its arguments); a
            built hook or None is skipped.
        save_checkpoint (Callable): the runner's ``save_checkpoint`` with
            its own argument names (mmengine's ``Runner.save_checkpoint``).

    Raises:
        ValueError: naming the key, the hook and the nearest argument.
    """
    if not isinstance(cfg, dict):
        return
    cls = _hook_class(cfg.get('type'))
    if cls is None:
        return
    allowed, open_ended = _arguments(cls.__init__)
    if open_ended and issubclass(cls, CheckpointHook):
        extra, open_ended = _arguments(save_checkpoint)
        # The hook itself passes the file name and meta.
        allowed += [a for a in extra
                    if a not in allowed and a not in ('filename', 'meta')]
    if open_ended:
        return
    for key in cfg:
        if key in ('type', 'priority') or key in allowed:
            continue
        near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f'; did you mean {near[0]!r}?' if near else ''
        raise ValueError(
            f'{where}.{key}: {cls.__name__} takes no argument {key!r}'
            f'{hint} ({cls.__name__} takes: {", ".join(allowed)})')


def _names_transform(cfg, name: str) -> bool:
    """Whether a (nested) dataset or pipeline config has a transform of
    type ``name``."""
    if isinstance(cfg, dict):
        kind = cfg.get('type')
        if kind == name or getattr(kind, '__name__', None) == name:
            return True
        return any(_names_transform(v, name) for v in cfg.values())
    if isinstance(cfg, (list, tuple)):
        return any(_names_transform(v, name) for v in cfg)
    return False


def check_photometric_pairing(train_dataloader, model) -> None:
    """Refuse, at start-up, a train pipeline that draws photometric
    parameters (``DrawPhotometricParams``, the fast path) for a model whose
    preprocessor is not ``PhotometricDataPreprocessor``: its views would be
    trained on unaugmented, whatever the algorithm (PixPro and PixContrast
    also refuse such a batch in their ``loss``).

    Args:
        train_dataloader (dict | None): the runner's train dataloader
            config; anything else (a built loader, None) is not checked.
        model (nn.Module): the built model.

    Raises:
        TypeError: naming the transform, the preprocessor and the fix.
    """
    from mmpixpro.models.data_preprocessors import (
        PhotometricDataPreprocessor, unapplied_photometric_message)
    if not isinstance(train_dataloader, dict):
        return
    if not _names_transform(train_dataloader.get('dataset'),
                            'DrawPhotometricParams'):
        return
    pre = getattr(model, 'data_preprocessor', None)
    if not isinstance(pre, PhotometricDataPreprocessor):
        raise TypeError(unapplied_photometric_message(type(pre).__name__))


def preprocessor_mismatch(cfg) -> Optional[str]:
    """The warning for a config whose top-level ``data_preprocessor``
    differs from ``model.data_preprocessor``, or None.

    Each data base declares its preprocessor at the top level beside its
    pipeline, and each config copies it into ``model``; mmengine's Runner
    fills the top-level one in only when ``model`` has none, so a change to
    the top-level key alone (``--cfg-options data_preprocessor.type=...``)
    would do nothing.
    """
    top = cfg.get('data_preprocessor') if hasattr(cfg, 'get') else None
    model = cfg.get('model') if hasattr(cfg, 'get') else None
    used = model.get('data_preprocessor') if isinstance(model,
                                                        dict) else None
    if not isinstance(top, dict) or not isinstance(used, dict) or dict(
            top) == dict(used):
        return None
    return (f'data_preprocessor (top level: {dict(top)}) differs from '
            f'model.data_preprocessor ({dict(used)}); the model is built '
            'with model.data_preprocessor and the top-level key is ignored. '
            'Change model.data_preprocessor (and the top-level key with it).')


class ConfigChecksMixin:
    """A dataset too small for one batch is an error naming the fix; a
    train pipeline drawing photometric parameters (the fast path) for a
    model whose preprocessor does not apply them is an error when the model
    is built; a warm-up longer than the run is a warning; a hook argument
    the hook does not take (``default_hooks`` and ``custom_hooks``) is an
    error naming the nearest one, when the runner is built; a plain
    ``CheckpointHook`` in ``default_hooks`` becomes ``AtomicCheckpointHook``
    (atomic writes, pruning after success); a top-level
    ``data_preprocessor`` that differs from the model's is a warning."""

    def build_model(self, model):
        message = preprocessor_mismatch(self.cfg)
        if message:
            self.logger.warning(message)
        model = super().build_model(model)
        check_photometric_pairing(self._train_dataloader, model)
        return model

    def register_hooks(self, default_hooks=None, custom_hooks=None) -> None:
        # mmengine's signature: the mixins' overrides pass keys through as
        # **kwargs to it, which would let every key pass.
        save = Runner.save_checkpoint
        for name, cfg in dict(default_hooks or {}).items():
            check_hook_arguments(f'default_hooks.{name}', cfg, save)
        for i, cfg in enumerate(custom_hooks or []):
            check_hook_arguments(f'custom_hooks[{i}]', cfg, save)
        super().register_hooks(default_hooks, custom_hooks)

    def register_default_hooks(self, hooks=None) -> None:
        hooks = dict(hooks or {})
        ckpt = hooks.get('checkpoint')
        if isinstance(ckpt, dict) and ckpt.get('type') in (
                'CheckpointHook', 'mmengine.CheckpointHook'):
            hooks['checkpoint'] = dict(ckpt, type='AtomicCheckpointHook')
        super().register_default_hooks(hooks)

    @classmethod
    def build_dataloader(cls, dataloader, seed=None, diff_rank_seed=False):
        """mmengine's, plus a clear error for a dataset too small for one
        batch with ``drop_last`` (mmengine gives a bare StopIteration or
        an epoch_length assertion)."""
        loader = super().build_dataloader(
            dataloader, seed=seed, diff_rank_seed=diff_rank_seed)
        if hasattr(loader, '__len__') and len(loader) == 0:
            size = len(loader.dataset) if hasattr(loader.dataset,
                                                  '__len__') else '?'
            per_rank = len(loader.sampler) if hasattr(loader.sampler,
                                                      '__len__') else size
            raise ValueError(
                f'the dataset has {size} samples ({per_rank} per process), '
                f'fewer than one batch of {loader.batch_size} with '
                f'drop_last={loader.drop_last}: no iteration can run. Lower '
                'train_dataloader.batch_size or add data (data_root: '
                f'{getattr(loader.dataset, "data_root", "?")})')
        return loader

    def build_param_scheduler(self, scheduler):
        schedulers = super().build_param_scheduler(scheduler)
        loop = getattr(self, '_train_loop', None)
        max_iters = getattr(loop, 'max_iters', None)
        flat = (sum(schedulers.values(), []) if isinstance(schedulers, dict)
                else schedulers or [])
        for sched in flat:
            if (type(sched).__name__ == 'LinearLR' and max_iters
                    and getattr(sched, 'start_factor', 1) < 1
                    and not sched.by_epoch and sched.end > max_iters):
                self.logger.warning(
                    f'the warm-up ({type(sched).__name__} to iteration '
                    f'{sched.end}) is longer than the run ({max_iters} '
                    'iterations): the lr never reaches its set value. '
                    'Shorten the warm-up (param_scheduler) or train longer.')
        return schedulers
