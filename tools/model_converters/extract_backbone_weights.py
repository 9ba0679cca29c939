"""Write the pre-trained backbone's weights for mmpretrain, mmdet and mmseg.

    python tools/model_converters/extract_backbone_weights.py \
        work_dirs/pixpro_r50_8xb128/epoch_100.pth pixpro_r50_backbone.pth

IN is one of our pre-training checkpoints or an authors' released one. OUT
holds ``state_dict`` with the backbone's own keys: a ResNet's
(``conv1.weight``, ``layer4.2.bn3.running_var`` ...) for
``init_cfg=dict(type='Pretrained', checkpoint=OUT)`` on a ``ResNet``
backbone (and on mmdet's C4 res5 shared head, whose ``layer4.*`` keys
match); a ConvNeXt's, Swin's or ViT's as mmpretrain names them
(docs/another_backbone.md). ``--target`` exports the momentum encoder
instead of the online one.

``--with-neck`` (checkpoints of configs/pixpro/pixpro_r50-fpn*_8xb128.py,
which pre-train an FPN and maybe FCOS towers; refused for others) adds to
the same ResNet keys the FPN as ``neck.*`` (mmdet ``FPN`` keys) and the
pre-trained tower as both ``bbox_head.cls_convs.*`` and
``bbox_head.reg_convs.*``. The backbone keys stay unprefixed, so the file
still works wherever a backbone file does (the ResNet's own ``Pretrained``
init then reports the extra keys as unexpected, and ignores them); the
neck and head take their part with ``init_cfg=dict(type='Pretrained',
checkpoint=OUT, prefix='neck.')`` and ``prefix='bbox_head.'``, as the
configs under configs/benchmarks/mmdetection/coco/ that load them do.
"""
import argparse
import sys

from mmpixpro.converters import CheckpointError, extract_backbone
from mmpixpro.converters.command_line import (add_output_arguments,
                                              error_line)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src',
                        help='pre-training checkpoint (ours or released)')
    parser.add_argument('dst', help='output backbone checkpoint')
    parser.add_argument('--target', action='store_true',
                        help='export the momentum (target) encoder')
    parser.add_argument('--with-neck', action='store_true',
                        help='also write the pre-trained FPN (neck.*) and '
                        'FCOS towers (bbox_head.cls_convs.*, '
                        'bbox_head.reg_convs.*)')
    add_output_arguments(parser)
    args = parser.parse_args(argv)
    try:
        extract_backbone(args.src, args.dst, target=args.target,
                         force=args.force, unsafe=args.unsafe_load,
                         with_neck=args.with_neck)
    except (CheckpointError, FileNotFoundError) as e:
        hint = (' (leave out --with-neck for the backbone alone)'
                if args.with_neck and isinstance(e, CheckpointError) else '')
        print(f'error: {error_line(args.src, e)}{hint}; nothing written',
              file=sys.stderr)
        return 1
    except OSError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
