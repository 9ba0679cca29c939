"""Draw PixPro's propagation weights of chosen feature pixels as heat maps.

    python tools/analysis/show_propagation.py \
        configs/pixpro/pixpro_resnet18-w16_1xb16-4e.py \
        work_dirs/pixpro_resnet18-w16_1xb16-4e_demo/epoch_4.pth photo.jpg \
        --out propagation.png --pixels 3,3 1,5

Builds the model of CONFIG, loads CHECKPOINT (ours, or a released one;
strict) or, for the literal ``random``, initialises it from ``--seed``;
resizes IMAGE to the view size (the config's crop size, or ``--size``),
runs the online encoder (backbone and projector) and draws, for each chosen
pixel ``y,x`` of the feature map, its row of ``PPM.similarity`` over the
view: ``s(x_i, x_j) = max(cos, clamp_min) ^ gamma``, colour scale 0 to 1.
"""
import argparse
import os.path as osp
import sys
from typing import List, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import DefaultScope
from PIL import Image

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
from mmpixpro.converters import (
    CheckpointFormatError,  # noqa: E402
    read_pretraining_checkpoint)
from mmpixpro.datasets import LoadRGBImageFromFile  # noqa: E402
from mmpixpro.registry import MODELS  # noqa: E402
from mmpixpro.utils import register_all_modules  # noqa: E402
from mmpixpro.visualization import draw_propagation, save_png  # noqa: E402


def crop_size(cfg: Config) -> Tuple[int, int]:
    """``(h, w)`` of the first ``RandomResizedCropWithCoord`` in the training
    pipeline (224 if there is none)."""

    def find(node):
        if isinstance(node, dict):
            if str(node.get('type',
                            '')).endswith('RandomResizedCropWithCoord'):
                return node.get('size', 224)
            node = list(node.values())
        if isinstance(node, (list, tuple)):
            for child in node:
                size = find(child)
                if size is not None:
                    return size
        return None

    size = find(cfg.train_dataloader.dataset.pipeline) or 224
    return (size, size) if isinstance(size, int) else tuple(size)


def load_model(cfg: Config, checkpoint: str, seed: int = 0) -> torch.nn.Module:
    """The config's model in eval mode, from ``checkpoint`` (strict) or, for
    ``'random'``, from its seeded initialisation. SyncBN becomes BN."""
    torch.manual_seed(seed)
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    if checkpoint == 'random':
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')  # init_weights logs every parameter
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    else:
        state_dict, _ = read_pretraining_checkpoint(checkpoint)
        model.load_state_dict(state_dict, strict=True)
    return model.eval()


@torch.no_grad()
def propagation_weights(model: torch.nn.Module,
                        view: np.ndarray) -> torch.Tensor:
    """(h, w, h, w) weights: ``[y, x]`` is pixel (y, x)'s row of
    ``PPM.similarity`` on the online projection of ``view`` ((H, W, 3) uint8
    RGB, normalised by the model's data preprocessor)."""
    img = torch.from_numpy(view.copy()).permute(2, 0, 1)[None]
    inputs = model.data_preprocessor(dict(inputs=img,
                                          data_samples=None))['inputs']
    projection = model.online_encoder()(inputs)[0]  # (1, C, h, w)
    h, w = projection.shape[-2:]
    return model.head.predictor.similarity(projection)[0].view(h, w, h, w)


def default_pixels(h: int, w: int) -> List[Tuple[int, int]]:
    """The centre and the four quarter points of an h x w grid."""
    points = [(h // 2, w // 2), (h // 4, w // 4), (h // 4, (3 * w) // 4),
              ((3 * h) // 4, w // 4), ((3 * h) // 4, (3 * w) // 4)]
    return list(dict.fromkeys(points))


def parse_pixel(text: str) -> Tuple[int, int]:
    try:
        y, x = (int(v) for v in text.split(','))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected a feature pixel as y,x (e.g. 3,4), got {text!r}')
    return y, x


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='pre-training config')
    parser.add_argument('checkpoint',
                        help="pre-training checkpoint, or 'random'")
    parser.add_argument('image', help='image file')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--pixels',
                        type=parse_pixel,
                        nargs='+',
                        metavar='Y,X',
                        help='feature pixels to show '
                        '(default: the centre and the four quarter points)')
    parser.add_argument('--size',
                        type=int,
                        help='view size N (N x N; default: the crop size)')
    parser.add_argument('--seed',
                        type=int,
                        default=0,
                        help="seed of the 'random' initialisation")
    args = parser.parse_args(argv)

    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    size = (args.size, args.size) if args.size else crop_size(cfg)
    try:
        with DefaultScope.overwrite_default_scope(
                cfg.get('default_scope', 'mmpixpro')):
            model = load_model(cfg, args.checkpoint, args.seed)
        img = LoadRGBImageFromFile()(dict(img_path=args.image))['img']
    except (CheckpointFormatError, OSError, RuntimeError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    view = np.array(img.resize((size[1], size[0]), Image.BILINEAR))
    weights = propagation_weights(model, view)
    h, w = weights.shape[:2]
    pixels = args.pixels or default_pixels(h, w)
    for y, x in pixels:
        if not (0 <= y < h and 0 <= x < w):
            print(f'error: pixel {y},{x} is outside the {h}x{w} feature map',
                  file=sys.stderr)
            return 1

    maps = [((y, x), weights[y, x].numpy()) for y, x in pixels]
    picture = draw_propagation(view, maps)
    for (y, x), row in maps:
        others = row.copy()
        others[y, x] = -1
        oy, ox = np.unravel_index(others.argmax(), others.shape)
        print(f'pixel ({y}, {x}): self {row[y, x]:.3f}, mean '
              f'{row.mean():.3f}, highest other {row[oy, ox]:.3f} at '
              f'({oy}, {ox})')
    print(save_png(picture, args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
