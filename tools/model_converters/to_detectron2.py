"""Write the pre-trained ResNet as a detectron2 weights file (.pkl).

    python tools/model_converters/to_detectron2.py IN pixpro_r50_d2.pkl

IN is one of our pre-training checkpoints, an authors' released one, or a
backbone file from extract_backbone_weights.py. The pickle holds
``{'model': {name: numpy array}, '__author__': 'mmpixpro',
'matching_heuristics': True}`` with detectron2's names (``stem.conv1``,
``res2``..``res5``, ``convK.norm``, ``shortcut``), as the authors' own
converter writes, for their detectron2 transfer configs.
"""
import argparse
import os.path as osp
import pickle
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.converters import (CheckpointFormatError,  # noqa: E402
                                 backbone_state_dict, is_backbone_state_dict,
                                 read_pretraining_checkpoint, to_detectron2)
from mmpixpro.converters.backbone import check_resnet_shapes  # noqa: E402
from mmpixpro.converters.checkpoint_io import (  # noqa: E402
    add_output_arguments, atomic_write, check_output)


def read_backbone(path: str, target: bool, unsafe: bool = False):
    state_dict, kind = read_pretraining_checkpoint(path, unsafe)
    if kind == 'mmpixpro' and is_backbone_state_dict(state_dict):
        if target:
            raise CheckpointFormatError(
                'a backbone file holds one encoder only; --target needs a '
                'pre-training checkpoint')
        return state_dict, 'backbone'  # written by extract_backbone_weights
    return backbone_state_dict(state_dict, target=target), kind


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
        backbone, kind = read_backbone(args.src, args.target,
                                       args.unsafe_load)
        check_resnet_shapes(backbone, args.src)
        model = to_detectron2(backbone)
    except (CheckpointFormatError, FileNotFoundError) as e:
        print(f'error: {args.src}: {e}; nothing written', file=sys.stderr)
        return 1
    content = dict(model=model, __author__='mmpixpro',
                   matching_heuristics=True)
    try:
        atomic_write(args.dst, lambda f: pickle.dump(content, f))
    except OSError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'wrote {len(model)} tensors (from a {kind} checkpoint) in '
          f'detectron2 names to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
