"""Write the pre-trained ResNet as a detectron2 weights file (.pkl).

    python tools/model_converters/to_detectron2.py IN pixpro_r50_d2.pkl

IN is one of our pre-training checkpoints, an authors' released one, or a
backbone file from extract_backbone_weights.py, of a ResNet: detectron2
has no counterpart of the other backbones (ConvNeXt, Swin, ViT), which are
refused. The pickle holds
``{'model': {name: numpy array}, '__author__': 'mmpixpro',
'matching_heuristics': True}`` with detectron2's names (``stem.conv1``,
``res2``..``res5``, ``convK.norm``, ``shortcut``), as the authors' own
converter writes, for their detectron2 transfer configs.
"""
import argparse
import pickle
import sys

from mmpixpro.converters import (CheckpointError, backbone_family,
                                 check_resnet_shapes, read_pretrained,
                                 to_detectron2)
from mmpixpro.converters.command_line import (add_output_arguments,
                                              check_output, error_line)
from mmpixpro.utils.atomic_write import atomic_write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='pre-training or backbone checkpoint')
    parser.add_argument('dst', help='output detectron2 .pkl')
    parser.add_argument('--target', action='store_true',
                        help='export the momentum (target) encoder')
    add_output_arguments(parser)
    args = parser.parse_args(argv)
    try:
        check_output(args.src, args.dst, args.force)
        checkpoint = read_pretrained(args.src, unsafe=args.unsafe_load)
        backbone = checkpoint.backbone_weights(args.target)
        family = backbone_family(backbone)
        if family != 'ResNet':
            raise CheckpointError(
                f'to_detectron2.py exports ResNet backbones only, found a '
                f'{family or "backbone of no known kind"} (keys like '
                f'{list(backbone)[:2]})')
        check_resnet_shapes(backbone, args.src)
        model = to_detectron2(backbone)
    except (CheckpointError, FileNotFoundError) as e:
        print(f'error: {error_line(args.src, e)}; nothing written',
              file=sys.stderr)
        return 1
    content = dict(model=model, __author__='mmpixpro',
                   matching_heuristics=True)
    try:
        atomic_write(args.dst, lambda f: pickle.dump(content, f))
    except OSError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'wrote {len(model)} tensors (from {checkpoint.source_words}) '
          f'in detectron2 names to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
