"""Training from a config file, as ``tools/train.py`` runs it, for the tools
that train in their own process (the main job, speed measurements).

``build_train_config`` applies the command line's switches to a config;
``train`` builds the config's runner and trains. ``tools/train.py`` is these
two behind mmpretrain's flags.
"""
import difflib
import gc
import logging
import os.path as osp
import sys
from typing import List, Optional, Union

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmpixpro.utils import register_all_modules
from .worker_priority import build_config_runner

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')
LR_RULES = ('config', 'linear', 'sqrt')


def warn_unknown_keys(cfg: Config, options: dict) -> List[str]:
    """Warn about each --cfg-options key whose top level the config does not
    have (mmengine would add it silently), naming the nearest existing key;
    returns the warnings."""
    known = list(cfg.keys())
    warnings_ = []
    for key in options:
        top = key.split('.')[0]
        if top in cfg:
            continue
        near = difflib.get_close_matches(top, known, n=1, cutoff=0.6)
        hint = f'; did you mean {near[0]!r}?' if near else ''
        message = (f'--cfg-options {key}: the config has no top-level key '
                   f'{top!r}, so this only adds a new one{hint}')
        print(f'warning: {message}', file=sys.stderr)
        warnings_.append(message)
    return warnings_


def build_train_config(config: Union[str, Config],
                       work_dir: Optional[str] = None,
                       cfg_options: Optional[dict] = None,
                       launcher: str = 'none',
                       amp: bool = False,
                       resume: Optional[str] = None,
                       auto_scale_lr: Optional[str] = None,
                       pin_memory: bool = True,
                       persistent_workers: bool = True,
                       unsafe_load: bool = False) -> Config:
    """The config ``tools/train.py`` trains: ``config`` (a file, or a
    ``Config`` read from one, which is changed in place) with the switches
    of its command line.

    Args:
        work_dir: where logs and checkpoints go; default the config's
            ``work_dir``, else ``./work_dirs/<config file name>``.
        cfg_options: ``{dotted key: value}`` merged last (as
            ``--cfg-options`` gives them); a key whose top level the config
            lacks is warned about on stderr.
        launcher: one of ``LAUNCHERS``.
        amp: fp16 mixed precision (``AmpOptimWrapper``, dynamic loss scale
            unless the config sets one).
        resume: ``'auto'`` (the latest checkpoint in the work directory), a
            checkpoint path, or None (no resume).
        auto_scale_lr: rescale the lr to the run's total batch by the
            config's rule (``'config'``), ``'linear'`` or ``'sqrt'``; None
            leaves the lr as it is. The config needs an ``auto_scale_lr``
            setting (``base_batch_size``), else ``ValueError``.
        pin_memory, persistent_workers: False turns the train dataloader's
            setting off (``persistent_workers`` is off without workers).
        unsafe_load: read checkpoints with the full unpickler (only for
            files the user trusts); sets ``unsafe_load = True``.
    """
    if isinstance(config, Config):
        cfg, path = config, config.filename
    else:
        register_all_modules(init_default_scope=False)
        cfg, path = Config.fromfile(config), config
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher {launcher!r} is not one of {LAUNCHERS}')
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        if path is None:
            raise ValueError('give a work_dir: the config has none and was '
                             'not read from a file to name one after')
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    if amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif resume is not None:
        cfg.resume, cfg.load_from = True, resume
    if auto_scale_lr:
        if auto_scale_lr not in LR_RULES:
            raise ValueError(f'auto_scale_lr {auto_scale_lr!r} is not one '
                             f'of {LR_RULES}')
        if 'auto_scale_lr' not in cfg:
            raise ValueError(f'{path} has no auto_scale_lr setting '
                             '(base_batch_size) to scale from')
        cfg.auto_scale_lr.enable = True
        if auto_scale_lr != 'config':
            cfg.auto_scale_lr.rule = auto_scale_lr
    loader = cfg.train_dataloader
    if not pin_memory:
        loader['pin_memory'] = False
    if not persistent_workers:
        loader['persistent_workers'] = False
    if loader.get('num_workers', 0) == 0:
        loader['persistent_workers'] = False
    if unsafe_load:
        cfg.unsafe_load = True
    if cfg_options is not None:
        warn_unknown_keys(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    return cfg


def build_runner(cfg: Config) -> Runner:
    """The config's runner (``runner_type``, else mmengine's ``Runner`` with
    the ``worker_nice`` option: :func:`build_config_runner`), built in the
    config's default scope (where the runner type is looked up)."""
    register_all_modules(init_default_scope=False)
    init_default_scope(cfg.get('default_scope', 'mmpixpro'))
    return build_config_runner(cfg)


def train(cfg: Config) -> Optional[str]:
    """Train ``cfg`` (see :func:`build_train_config`) in this process;
    returns the path of the last checkpoint saved in the work directory
    (what its ``last_checkpoint`` file names), or None when none was.

    As when tools/train.py's process ends, the run's log file is closed
    (what this process logs later does not go into it) and its dataloader
    workers stop.
    """
    runner = build_runner(cfg)
    runner.train()
    work_dir = runner.work_dir
    for handler in list(runner.logger.handlers):
        if isinstance(handler, logging.FileHandler):
            runner.logger.removeHandler(handler)
            handler.close()
    del runner
    gc.collect()  # the runner's reference cycles hold the workers
    record = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(record):
        return None
    with open(record) as f:
        return f.read().strip()
