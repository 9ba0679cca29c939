"""Generated images for the demo job and the tests (no download needed)."""
import os
import os.path as osp
from typing import List, Tuple

import numpy as np
from PIL import Image, ImageDraw


def random_scene(rng: np.random.Generator, height: int,
                 width: int) -> np.ndarray:
    """A (height, width, 3) uint8 scene: a smooth two-colour background with
    3 to 8 filled rectangles and ellipses of random colours and sizes."""
    c0, c1 = rng.integers(0, 256, (2, 3))
    t = np.linspace(0, 1, width)[None, :, None]
    if rng.random() < 0.5:
        t = np.linspace(0, 1, height)[:, None, None]
    bg = (1 - t) * c0 + t * c1
    img = Image.fromarray(
        np.broadcast_to(bg, (height, width, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(rng.integers(3, 9)):
        w = int(rng.integers(width // 8, width // 2 + 1))
        h = int(rng.integers(height // 8, height // 2 + 1))
        x, y = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
        shape((x, y, x + w, y + h), fill=colour)
    return np.asarray(img)


def write_image_folder(root: str,
                       num_images: int = 256,
                       size: Tuple[int, int] = (160, 200),
                       num_subfolders: int = 4,
                       seed: int = 0) -> List[str]:
    """Write ``num_images`` JPEG scenes of ``size`` (height, width) into
    ``num_subfolders`` sub-folders of ``root`` (an ImageNet-like layout) and
    return their paths. The same seed gives the same files."""
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(num_images):
        folder = osp.join(root, f'scenes_{i % num_subfolders:02d}')
        os.makedirs(folder, exist_ok=True)
        path = osp.join(folder, f'scene_{i:05d}.jpg')
        Image.fromarray(random_scene(rng, *size)).save(path, quality=90)
        paths.append(path)
    return paths
