"""Convert an authors' released PixPro checkpoint into one our PixPro loads
with strict=True (online and target networks both kept).

    python tools/model_converters/pixpro_official_to_mmpixpro.py \
        pixpro_base_r50_400ep_md5_919c6612.pth pixpro_r50_400ep_mmpixpro.pth

Then train or evaluate from it with ``load_from=...`` (or
``--cfg-options load_from=...``); with the instance branch, use
configs/pixpro/pixpro-ins_r50_8xb128.py.
"""
import argparse
import os.path as osp
import sys

from mmpixpro.converters import (RELEASED, CheckpointError,
                                 check_resnet_shapes,
                                 convert_official_state_dict, read_pretrained)
from mmpixpro.converters.backbone import strip_prefix
from mmpixpro.converters.command_line import (add_output_arguments,
                                              check_output, error_line)
from mmpixpro.converters.official import check_target_shapes
from mmpixpro.utils.atomic_write import atomic_torch_save


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='released checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint for mmpixpro')
    add_output_arguments(parser)
    args = parser.parse_args(argv)
    try:
        check_output(args.src, args.dst, args.force)
        released = read_pretrained(args.src, (RELEASED, ), args.unsafe_load)
        state_dict, info = convert_official_state_dict(released.state_dict)
        for prefix in ('backbone.', 'target_net.module.backbone.'):
            check_resnet_shapes(strip_prefix(state_dict, prefix),
                                f'{args.src} ({prefix}*)')
        check_target_shapes(state_dict, args.src)
    except (CheckpointError, FileNotFoundError) as e:
        print(f'error: {error_line(args.src, e)}; nothing written',
              file=sys.stderr)
        return 1
    meta = dict(
        converted_from=osp.basename(args.src),
        num_transform_layers=info['num_transform_layers'],
        instance_branch=info['instance_branch'])
    try:
        atomic_torch_save(dict(meta=meta, state_dict=state_dict), args.dst)
    except OSError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'wrote {len(state_dict)} tensors to {args.dst} '
          f"(value transform layers: {info['num_transform_layers']}, "
          f"instance branch: {'yes' if info['instance_branch'] else 'no'}"
          + (f", dropped {len(info['dropped'])} classifier tensors"
             if info['dropped'] else '') + ')')
    if info['instance_branch']:
        print('use it with configs/pixpro/pixpro-ins_r50_8xb128.py')
    return 0


if __name__ == '__main__':
    sys.exit(main())
