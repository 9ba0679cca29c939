"""Train a PixPro model (mmpretrain's train.py flags, plus --auto-scale-lr
with the square-root rule)."""
import argparse
import difflib
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS, init_default_scope
from mmengine.runner import Runner

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))
from mmpixpro.utils import register_all_modules  # noqa: E402


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
        help='resume from this checkpoint; without a path, from the latest '
        'checkpoint in the work directory')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision (fp16) training')
    parser.add_argument(
        '--auto-scale-lr',
        nargs='?',
        const='config',
        choices=['config', 'linear', 'sqrt'],
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
        choices=['none', 'pytorch', 'slurm', 'mpi'],
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
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise ValueError(f'{args.config} has no auto_scale_lr setting '
                             '(base_batch_size) to scale from')
        cfg.auto_scale_lr.enable = True
        if args.auto_scale_lr != 'config':
            cfg.auto_scale_lr.rule = args.auto_scale_lr
    loader = cfg.train_dataloader
    if args.no_pin_memory:
        loader['pin_memory'] = False
    if args.no_persistent_workers:
        loader['persistent_workers'] = False
    if loader.get('num_workers', 0) == 0:
        loader['persistent_workers'] = False
    if args.unsafe_load:
        cfg.unsafe_load = True
    if args.cfg_options is not None:
        warn_unknown_keys(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def warn_unknown_keys(cfg: Config, options: dict) -> list:
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


def main(argv=None):
    args = parse_args(argv)
    if not osp.isfile(args.config):
        sys.exit(f'config file {args.config} does not exist')
    register_all_modules(init_default_scope=False)
    cfg = merge_args(Config.fromfile(args.config), args)
    # The runner type is looked up in the config's scope.
    init_default_scope(cfg.get('default_scope', 'mmpixpro'))
    if 'runner_type' in cfg:
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
