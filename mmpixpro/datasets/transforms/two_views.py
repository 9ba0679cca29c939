"""Two augmented views of one image, each with its crop box."""
from typing import List

import numpy as np
import torch
from mmcv.transforms import BaseTransform, Compose

from mmpixpro.registry import TRANSFORMS


@TRANSFORMS.register_module()
class TwoViewsWithCoord(BaseTransform):
    """Run two view pipelines on the same decoded image.

    Each pipeline gets a shallow copy of ``results`` and must set ``coord``
    (use ``RandomResizedCropWithCoord``). Afterwards ``results['img']`` is
    the list of the two views and ``results['coord']`` a float32 tensor of
    shape (2, 4), one box per view; pack it with
    ``PackInputs(algorithm_keys=['coord'])``. When the view pipelines draw
    photometric parameters (``DrawPhotometricParams``, the fast path), both
    must, and ``results['photometric']`` becomes a float32 (2, K) tensor:
    pack it too (``algorithm_keys=['coord', 'photometric']``).

    Args:
        transforms: exactly two lists of transform configs, one per view
            (the recipe's views are asymmetric; docs/recipe.md, "Data").
    """

    def __init__(self, transforms: List[List[dict]]) -> None:
        if not isinstance(transforms, (list, tuple)) or len(transforms) != 2:
            n = len(transforms) if isinstance(transforms, (list, tuple)) else (
                type(transforms).__name__)
            raise ValueError('TwoViewsWithCoord: transforms must hold exactly '
                             f'2 view pipelines (PixPro compares two views), '
                             f'got {n}')
        self.pipelines = [Compose(t) for t in transforms]

    def transform(self, results: dict) -> dict:
        views, coords, params = [], [], []
        for i, pipeline in enumerate(self.pipelines):
            out = pipeline(dict(results))
            if out is None:
                return None
            if 'coord' not in out:
                raise KeyError(f'TwoViewsWithCoord: view pipeline {i} set no '
                               '"coord"; it needs RandomResizedCropWithCoord')
            views.append(out['img'])
            coords.append(out['coord'])
            params.append(out.get('photometric'))
        if any(p is None for p in params) and any(p is not None
                                                  for p in params):
            raise KeyError('TwoViewsWithCoord: only one view pipeline has '
                           'DrawPhotometricParams; the fast path needs it '
                           'in both')
        if params[0] is not None:
            results['photometric'] = torch.from_numpy(np.stack(params))
        results['img'] = views
        results['coord'] = torch.from_numpy(np.stack(coords)).float()
        results['img_shape'] = out['img_shape']
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(pipelines={self.pipelines})'
