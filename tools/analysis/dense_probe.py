"""Dense probe: linear and kNN segmentation scores of frozen backbones.

    python tools/analysis/dense_probe.py \
        configs/pixpro/pixpro_resnet18-w16_1xb16-4e.py \
        random work_dirs/pixpro_resnet18-w16_1xb16-4e/epoch_4.pth \
        --data-root data/scenes_cityscapes --format cityscapes --out probe.json

Each CHECKPOINT is ``random`` (the config's initialisation under --seed), one
of our pre-training checkpoints, mmpretrain's BYOL, an authors' released
PixPro checkpoint, or a backbone file; the config gives the architecture.
The images are read once and every checkpoint is probed on them: one row
each (mIoU and pixel accuracy in percent). Real data: ``--format voc`` with
``--data-root VOCdevkit/VOC2012`` (21 classes), or ``--format cityscapes``
(19 classes); pass ``--num-classes`` if a subset may lack the last class.
"""
import argparse
import json
import os
import os.path as osp
import re
import sys

import numpy as np
from PIL import Image

from mmpixpro.converters import CheckpointError, unsafe_load
from mmpixpro.converters.command_line import add_unsafe_load_argument
from mmpixpro.evaluation import (FORMATS, check_num_classes,
                                 check_probe_settings, load_split,
                                 num_classes_in, run_probe)
from mmpixpro.evaluation.dense_probe import check_label_classes

COLUMNS = ('checkpoint', 'stage', 'stride', 'lin mIoU', 'lin acc', 'kNN mIoU',
           'kNN acc', 'seconds')


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config whose model.backbone is probed')
    parser.add_argument('checkpoints', nargs='+', metavar='CHECKPOINT',
                        help="checkpoint file(s), or 'random'")
    data = parser.add_argument_group('data')
    data.add_argument('--data-root', required=True)
    data.add_argument('--format', required=True, choices=FORMATS)
    data.add_argument('--train-split', default='train')
    data.add_argument('--val-split', default='val')
    data.add_argument('--img-size', type=int, nargs='+', default=[128],
                      metavar='S', help='S or H W (default 128)')
    data.add_argument('--max-images', type=int,
                      help='at most this many images per split')
    data.add_argument('--num-classes', type=int,
                      help='default: largest label below 255, plus one')
    probe = parser.add_argument_group('probe')
    probe.add_argument('--stage', type=int, default=4,
                       help='backbone output, from 1: out_indices=(stage - '
                       '1, ) (ResNet, ConvNeXt, Swin: 1..4, 4 = C5; ViT: '
                       'its layers)')
    probe.add_argument('--stride', type=int, default=8,
                       help='stride of the feature and label grid')
    probe.add_argument('--target', action='store_true',
                       help='probe the momentum (target) encoder')
    probe.add_argument('--epochs', type=int, default=10)
    probe.add_argument('--lr', type=float, default=1e-2)
    probe.add_argument('--max-train-pixels', type=int, default=100_000)
    probe.add_argument('--knn-k', type=int, default=20)
    probe.add_argument('--knn-temperature', type=float, default=0.07)
    probe.add_argument('--knn-bank', type=int, default=10_000)
    probe.add_argument('--batch-size', type=int, default=16,
                       help='images per feature-extraction batch')
    probe.add_argument('--seed', type=int, default=0)
    out = parser.add_argument_group('output')
    out.add_argument('--out', help='write the results as JSON here')
    out.add_argument('--show-dir',
                     help='write image | ground truth | linear | kNN panels')
    out.add_argument('--show', type=int, default=4,
                     help='number of val images to draw (default 4)')
    out.add_argument('--quiet', action='store_true', help='no progress bars')
    add_unsafe_load_argument(parser)
    args = parser.parse_args(argv)
    if len(args.img_size) > 2:
        parser.error('--img-size takes S or H W')
    return args


def row(values):
    return (f'{values[0]:<28.28} {values[1]:>5} {values[2]:>6} '
            + ' '.join(f'{v:>8}' for v in values[3:]))


def show(result, val, show_dir, count, tag) -> int:
    """Draw the first ``count`` val images with their label maps."""
    try:
        from mmpixpro.visualization import draw_label_maps
    except ImportError as e:
        print(f'--show-dir: mmpixpro.visualization is not available ({e}); '
              'no pictures written', file=sys.stderr)
        return 0
    os.makedirs(show_dir, exist_ok=True)
    preds = result['predictions']
    for i in range(min(count, len(val))):
        panel = draw_label_maps(
            val.images[i].permute(1, 2, 0).numpy(),
            [('ground truth', preds['gt'][i]),
             ('linear probe', preds['linear'][i]), ('kNN', preds['knn'][i])],
            result['num_classes'])
        Image.fromarray(np.asarray(panel)).save(
            osp.join(show_dir, f'{tag}_{i:03d}.png'))
    return min(count, len(val))


def main(argv=None) -> int:
    args = parse_args(argv)
    with unsafe_load(args.unsafe_load):
        return run(args)


def run(args) -> int:
    img_size = (args.img_size[0] if len(args.img_size) == 1 else tuple(
        args.img_size))
    try:
        check_probe_settings(
            num_classes=args.num_classes, stride=args.stride,
            epochs=args.epochs, img_size=args.img_size, lr=args.lr,
            max_train_pixels=args.max_train_pixels, knn_k=args.knn_k,
            knn_temperature=args.knn_temperature, knn_bank=args.knn_bank,
            batch_size=args.batch_size, max_images=args.max_images)
        train, val = (load_split(args.data_root, args.format, split, img_size,
                                 args.max_images)
                      for split in (args.train_split, args.val_split))
        num_classes = (num_classes_in(train, val) if args.num_classes is None
                       else args.num_classes)
        check_num_classes(num_classes, train, val)
        check_label_classes(train, val, num_classes)
    except (FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(f'{args.format} {args.data_root}: {len(train)} {args.train_split} '
          f'+ {len(val)} {args.val_split} images at {img_size}, '
          f'{num_classes} classes')
    results = []
    for n, checkpoint in enumerate(args.checkpoints):
        try:
            result = run_probe(
                args.config, checkpoint, train, val, stage=args.stage,
                target=args.target, seed=args.seed, num_classes=num_classes,
                stride=args.stride, epochs=args.epochs, lr=args.lr,
                max_train_pixels=args.max_train_pixels, knn_k=args.knn_k,
                knn_temperature=args.knn_temperature, knn_bank=args.knn_bank,
                batch_size=args.batch_size, progress=not args.quiet)
        except (CheckpointError, FileNotFoundError, ValueError) as e:
            print(f'error: {checkpoint}: {e}', file=sys.stderr)
            return 1
        if args.show_dir:
            name = re.sub(r'[^\w.-]', '_', osp.splitext(
                osp.basename(checkpoint))[0])
            drawn = show(result, val, args.show_dir, args.show, f'{n}_{name}')
            if drawn:
                print(f'wrote {drawn} pictures to {args.show_dir}')
        result.pop('predictions')
        results.append(result)
    print(row(COLUMNS))
    for r in results:
        name = (r['checkpoint'] if r['checkpoint'] == 'random' else
                osp.basename(r['checkpoint']))
        print(row([name, r['stage'], r['stride']] + [
            f'{r[probe][key]:.2f}' for probe in ('linear', 'knn')
            for key in ('mIoU', 'aAcc')
        ] + [f'{r["seconds"]:.1f}']))
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(dict(config=args.config, data_root=args.data_root,
                           format=args.format, train_split=args.train_split,
                           val_split=args.val_split, img_size=args.img_size,
                           results=results), f, indent=2)
        print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
