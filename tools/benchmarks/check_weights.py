"""Check that pre-trained weights arrive in downstream configs, before any
GPU time is spent.

    python tools/benchmarks/check_weights.py CONFIG [CONFIG ...] \
        --pretrained pixpro_r50_backbone.pth

For each mmdet or mmseg CONFIG: build its model on CPU (no data, no
Runner), point every ``Pretrained`` init_cfg at ``--pretrained`` (default:
the config's own ``pretrained`` path), initialise it, and compare every
tensor of the pre-trained modules (backbone; the res5 shared head of C4
detectors; FPN and towers with head pre-training) with the file. Prints one
line per config and exits with 1 when any tensor that the file should have
filled was not: the same check ``tools/benchmarks/*/dist_train.sh`` runs
before the first iteration.
"""
import argparse
import os.path as osp
import sys

from mmpixpro.converters import (BACKBONE, CheckpointError, read_pretrained,
                                 unsafe_load)
from mmpixpro.converters.command_line import add_unsafe_load_argument
from mmpixpro.evaluation import check_transfer_weights


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('configs', nargs='+', help='mmdet or mmseg configs')
    parser.add_argument('--pretrained',
                        help='backbone weights from extract_backbone_'
                        'weights.py (default: each config\'s own)')
    add_unsafe_load_argument(parser)
    args = parser.parse_args(argv)
    with unsafe_load(args.unsafe_load):
        return run(args)


def run(args) -> int:
    if args.pretrained is not None:
        try:
            read_pretrained(args.pretrained, (BACKBONE, ))
        except (CheckpointError, FileNotFoundError) as e:
            print(f'error: {e}', file=sys.stderr)
            return 1
    failed = 0
    for config in args.configs:
        if not osp.isfile(config):
            print(f'error: config file {config} does not exist',
                  file=sys.stderr)
            failed += 1
            continue
        try:
            modules = check_transfer_weights(config, args.pretrained)
        except (RuntimeError, ValueError, OSError) as e:
            where = '' if str(e).startswith(config) else f'{config}: '
            print(f'FAIL {where}{e}')
            failed += 1
            continue
        parts = []
        for name, m in modules.items():
            new = sorted({k.split('.')[0] for k in m['own_init']})
            own = (f' ({len(m["own_init"])} new: {", ".join(new)})'
                   if new else '')
            parts.append(f'{name} {m["filled"]} filled{own}')
        print(f'ok   {config}: ' + '; '.join(parts))
    if failed:
        print(f'{failed} of {len(args.configs)} configs failed',
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
