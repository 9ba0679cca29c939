"""Fine-tune pre-trained weights with an mmdet or mmseg config.

    python tools/benchmarks/train_downstream.py CONFIG --pretrained BACKBONE.pth

Puts BACKBONE.pth (from extract_backbone_weights.py) into every
``Pretrained`` init_cfg of the config's model (the backbone, and the res5
shared head of C4 detectors), adds the check that fails before the first
iteration unless every backbone and res5 tensor came from that file, and
runs mmengine's Runner as mmdet's and mmseg's tools/train.py do (the
config's default_scope decides whose modules), plus the ``worker_nice``
dataloader option (``WorkerPriorityRunner``).
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

import mmpixpro  # noqa: F401  (torch >= 2.6 loading for mmengine)
from mmpixpro.converters import (BACKBONE, CheckpointError, read_pretrained,
                                 unsafe_load)
from mmpixpro.converters.command_line import add_unsafe_load_argument
from mmpixpro.engine.hooks import AtomicCheckpointHook  # noqa: F401
from mmpixpro.engine.runner.resume_source import choose_resume_checkpoint
from mmpixpro.engine.runner.work_dir_lock import WorkDirLockedError
from mmpixpro.engine.runner.worker_priority import (UnreadWorkerNiceError,
                                                    build_config_runner)
from mmpixpro.evaluation import set_pretrained
from mmpixpro.utils import iter_config_dicts


def missing_data_roots(cfg) -> list:
    """``(config key, path)`` of every dataset data_root that does not
    exist, so a wrong path fails before any model is built."""
    missing = []
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if not cfg.get(name):
            continue
        for key, node in iter_config_dicts(cfg[name].get('dataset', {}),
                                           f'{name}.dataset'):
            root = node.get('data_root')
            if isinstance(root, str) and not osp.isdir(root):
                missing.append((key + '.data_root', root))
    return missing


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='mmdet or mmseg config')
    parser.add_argument('--pretrained', help='backbone weights (.pth)')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument('--resume', nargs='?', const='auto',
                        help='resume (from CKPT, or the newest in work-dir)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    add_unsafe_load_argument(parser)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None):
    args = parse_args(argv)
    with unsafe_load(args.unsafe_load):
        run(args)


def use_atomic_checkpoints(cfg) -> None:
    """mmdet's and mmseg's runtimes use mmengine's CheckpointHook, which
    prunes before it writes and writes in place; swap in the atomic one."""
    hooks = cfg.get('default_hooks') or {}
    ckpt = hooks.get('checkpoint')
    if isinstance(ckpt, dict) and ckpt.get('type') in (
            'CheckpointHook', 'mmengine.CheckpointHook'):
        ckpt['type'] = 'AtomicCheckpointHook'


def run(args):
    if not osp.isfile(args.config):
        sys.exit(f'config file {args.config} does not exist')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if args.pretrained is not None:
        if not osp.isfile(args.pretrained):
            sys.exit(f'pre-trained weights {args.pretrained} do not exist')
        try:
            read_pretrained(args.pretrained, (BACKBONE, ), args.unsafe_load)
        except CheckpointError as e:
            sys.exit(f'error: {e}')
        if set_pretrained(cfg.model, args.pretrained) == 0:
            sys.exit(f'{args.config} has no Pretrained init_cfg to fill')
    missing = missing_data_roots(cfg)
    if missing:
        sys.exit('error: data folder not found: ' + '; '.join(
            f'{path} ({key})' for key, path in missing) +
                 ' (put the data there or override the data_root)')
    hooks = cfg.get('custom_hooks', [])
    if not any('PretrainedWeightsCheckHook' in str(h.get('type'))
               for h in hooks):
        cfg.custom_hooks = hooks + [dict(type='PretrainedWeightsCheckHook')]
    use_atomic_checkpoints(cfg)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume:
        cfg.resume, cfg.load_from = True, args.resume
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    try:  # runner_type's runner, else mmengine's with worker_nice
        runner = build_config_runner(cfg)
    except UnreadWorkerNiceError as e:
        sys.exit(f'error: {e}')
    # --resume without a path: the same choice (and warning) as train.py's
    choose_resume_checkpoint(runner)
    try:
        runner.train()
    except WorkDirLockedError as e:
        sys.exit(f'error: {e}')


if __name__ == '__main__':
    main()
