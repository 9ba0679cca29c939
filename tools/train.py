"""Train a PixPro model (mmpretrain's train.py flags, plus --auto-scale-lr
with the square-root rule).

The command line over ``mmpixpro.engine.runner.launch``: its
``build_train_config`` applies the flags, its ``train`` runs the config's
runner.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

from mmpixpro.engine.runner.launch import (LAUNCHERS, LR_RULES,
                                           build_train_config, train)
from mmpixpro.engine.runner.work_dir_lock import WorkDirLockedError
from mmpixpro.engine.runner.worker_priority import UnreadWorkerNiceError
from mmpixpro.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a PixPro model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                        '(default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; without a path, from the newest '
        'checkpoint in the work directory. An lr given with --cfg-options '
        'replaces the checkpoint\'s (the schedule is recomputed from it)')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision (fp16) training')
    parser.add_argument(
        '--auto-scale-lr',
        nargs='?',
        const='config',
        choices=LR_RULES,
        help='rescale the lr from auto_scale_lr.base_batch_size to this '
        "run's total batch; 'linear' (mmengine's rule), 'sqrt' (the "
        "authors' advice below 1024), or no value: the config's rule")
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='disable pin_memory in the dataloader')
    parser.add_argument(
        '--no-persistent-workers',
        action='store_true',
        help='disable persistent_workers in the dataloader')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value (e.g. '
        'train_dataloader.batch_size=64 model.head.pos_threshold=0.5)')
    parser.add_argument(
        '--launcher',
        choices=LAUNCHERS,
        default='none',
        help='job launcher')
    parser.add_argument(
        '--unsafe-load',
        action='store_true',
        help='read checkpoints (load_from, --resume, Pretrained) that hold '
        'more than weights with the full unpickler, which runs any code in '
        'them: only for files you trust (sets unsafe_load=True)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args) -> Config:
    """``cfg`` (read from ``args.config``) with the command line applied."""
    return build_train_config(
        cfg,
        work_dir=args.work_dir,
        cfg_options=args.cfg_options,
        launcher=args.launcher,
        amp=args.amp,
        resume=args.resume,
        auto_scale_lr=args.auto_scale_lr,
        pin_memory=not args.no_pin_memory,
        persistent_workers=not args.no_persistent_workers,
        unsafe_load=args.unsafe_load)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        sys.exit(f'config file {args.config} does not exist')
    register_all_modules(init_default_scope=False)
    try:
        train(merge_args(Config.fromfile(args.config), args))
    except (WorkDirLockedError, UnreadWorkerNiceError) as e:
        sys.exit(f'error: {e}')


if __name__ == '__main__':
    main()
