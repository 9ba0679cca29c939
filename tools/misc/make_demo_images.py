"""Write the generated image folder the demo config trains on."""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', '..'))
from mmpixpro.datasets.synthetic import write_image_folder  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('out', help='folder to write (e.g. data/pixpro_demo)')
    parser.add_argument('--num-images', type=int, default=256)
    parser.add_argument('--height', type=int, default=160)
    parser.add_argument('--width', type=int, default=200)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    paths = write_image_folder(args.out, args.num_images,
                               (args.height, args.width), seed=args.seed)
    print(f'wrote {len(paths)} images to {args.out}')


if __name__ == '__main__':
    main()
