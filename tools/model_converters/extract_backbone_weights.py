"""Write the pre-trained ResNet's weights for mmpretrain, mmdet and mmseg.

    python tools/model_converters/extract_backbone_weights.py \
        work_dirs/pixpro_r50_8xb128/epoch_100.pth pixpro_r50_backbone.pth

IN is one of our pre-training checkpoints or an authors' released one. OUT
holds ``state_dict`` with the ResNet's keys (``conv1.weight``,
``layer4.2.bn3.running_var`` ...) for ``init_cfg=dict(type='Pretrained',
checkpoint=OUT)`` on a ``ResNet`` backbone (and on mmdet's C4 res5 shared
head, whose ``layer4.*`` keys match). ``--target`` exports the momentum
encoder instead of the online one.
"""
import argparse
import os
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.converters import (CheckpointFormatError,  # noqa: E402
                                 backbone_state_dict,
                                 read_pretraining_checkpoint)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='pre-training checkpoint (ours or released)')
    parser.add_argument('dst', help='output backbone checkpoint')
    parser.add_argument('--target', action='store_true',
                        help='export the momentum (target) encoder')
    args = parser.parse_args(argv)
    try:
        state_dict, kind = read_pretraining_checkpoint(args.src)
        backbone = backbone_state_dict(state_dict, target=args.target)
    except (CheckpointFormatError, FileNotFoundError) as e:
        print(f'error: {args.src}: {e}; nothing written', file=sys.stderr)
        return 1
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    encoder = 'target' if args.target else 'online'
    meta = dict(source=osp.basename(args.src), source_kind=kind,
                encoder=encoder)
    torch.save(dict(meta=meta, state_dict=backbone), args.dst)
    print(f'wrote {len(backbone)} tensors of the {encoder} ResNet '
          f'(from a {kind} checkpoint) to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
