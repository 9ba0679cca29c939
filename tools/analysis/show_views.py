"""Draw the two views of an image, their crop boxes and positive cell pairs.

    python tools/analysis/show_views.py \
        configs/pixpro/pixpro_resnet18-w16_1xb16-4e.py photo.jpg \
        --out views.png --seed 3

Runs the config's training pipeline up to its ``TwoViewsWithCoord`` step on
IMAGE (seeded), then draws the source image with both crop boxes and the two
views with their feature grids, joining the centres of every positive cell
pair (``positive_pair_mask`` with the head's ``pos_threshold``). The grid is
the view size over the backbone's output stride unless ``--grid`` is given.
"""
import argparse
import math
import os.path as osp
import random
import sys

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.registry import TRANSFORMS  # noqa: E402
from mmpixpro.utils import register_all_modules  # noqa: E402
from mmpixpro.visualization import (draw_views, positive_pairs,  # noqa: E402
                                    save_png)


def output_stride(backbone: dict) -> int:
    """Stride of a ResNet-style backbone's last output: 4 for the stem, times
    the strides of the stages up to the last of ``out_indices``."""
    strides = backbone.get('strides', (1, 2, 2, 2))
    last = max(backbone.get('out_indices', (3, )))
    return 4 * math.prod(strides[:last + 1])


def two_views(cfg: Config, image: str, seed: int):
    """``(source, views, boxes)``: the decoded (H, W, 3) image, the two views
    as (h, w, 3) uint8 arrays and their (2, 4) crop boxes."""
    pipeline = cfg.train_dataloader.dataset.pipeline
    types = [str(step['type']).split('.')[-1] for step in pipeline]
    if 'TwoViewsWithCoord' not in types:
        raise ValueError('the training pipeline has no TwoViewsWithCoord '
                         f'step (steps: {types})')
    index = types.index('TwoViewsWithCoord')
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    results = dict(img_path=image)
    for step in pipeline[:index]:
        results = TRANSFORMS.build(step)(results)
    source = np.array(results['img'])
    results = TRANSFORMS.build(pipeline[index])(results)
    views = [np.array(v) for v in results['img']]
    if 'photometric' in results:  # fast path: its device ops, here on CPU
        from mmpixpro.models.data_preprocessors import apply_photometric
        views = [
            apply_photometric(
                torch.from_numpy(v).permute(2, 0, 1)[None].float(),
                results['photometric'][i:i + 1])[0].permute(
                    1, 2, 0).byte().numpy() for i, v in enumerate(views)
        ]
    return source, views, np.asarray(results['coord'], np.float32)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='pre-training config')
    parser.add_argument('image', help='image file')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--seed',
                        type=int,
                        default=0,
                        help='random seed of the views')
    parser.add_argument('--grid',
                        type=int,
                        nargs=2,
                        metavar=('H', 'W'),
                        help='feature grid (default: view size / stride)')
    args = parser.parse_args(argv)

    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    try:
        with DefaultScope.overwrite_default_scope(
                cfg.get('default_scope', 'mmpixpro')):
            source, views, boxes = two_views(cfg, args.image, args.seed)
    except (OSError, ValueError, KeyError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    if args.grid:
        grids = (tuple(args.grid), ) * 2
    else:
        stride = output_stride(cfg.model.backbone)
        grids = tuple(
            (math.ceil(v.shape[0] / stride), math.ceil(v.shape[1] / stride))
            for v in views)
    threshold = cfg.model.head.get('pos_threshold', 0.7)
    pairs = positive_pairs(boxes, grids, threshold)
    picture = draw_views(source, views, boxes, grids, pairs)

    for k, box in enumerate(boxes):
        flipped = ', flipped' if box[0] > box[2] else ''
        print(f'view {k + 1}: box (x1, y1, x2, y2) = '
              f'({", ".join(repr(float(v)) for v in box)}), grid '
              f'{grids[k][0]}x{grids[k][1]}{flipped}')
    print(f'pos_threshold {threshold}: {len(pairs)} positive pairs')
    print(save_png(picture, args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
