"""Convert an authors' released PixPro checkpoint into one our PixPro loads
with strict=True (online and target networks both kept).

    python tools/model_converters/pixpro_official_to_mmpixpro.py \
        pixpro_base_r50_400ep_md5_919c6612.pth pixpro_r50_400ep_mmpixpro.pth

Then train or evaluate from it with ``load_from=...`` (or
``--cfg-options load_from=...``); with the instance branch, use
configs/pixpro/pixpro-ins_r50_8xb128.py.
"""
import argparse
import os
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.converters import (CheckpointFormatError,  # noqa: E402
                                 convert_official_state_dict,
                                 load_official_checkpoint)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='released checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint for mmpixpro')
    args = parser.parse_args(argv)
    try:
        state_dict, info = convert_official_state_dict(
            load_official_checkpoint(args.src))
    except (CheckpointFormatError, FileNotFoundError) as e:
        print(f'error: {args.src}: {e}; nothing written', file=sys.stderr)
        return 1
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    meta = dict(
        converted_from=osp.basename(args.src),
        num_transform_layers=info['num_transform_layers'],
        instance_branch=info['instance_branch'])
    torch.save(dict(meta=meta, state_dict=state_dict), args.dst)
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
