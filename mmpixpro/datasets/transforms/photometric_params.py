"""The fast path's worker side: draw every photometric random parameter of a
view, apply none of them.

The views stay uint8 after the crop and the flip; each carries a float32
vector ``results['photometric']`` (its layout:
:mod:`mmpixpro.structures.photometric_params`) that
``PhotometricDataPreprocessor`` applies, batched, on the device.

The draws are the ones the PIL path's transforms make, in the same order
and from the same generators, so for the same seed both paths produce the
same crop boxes and the same photometric parameters:

- colour jitter: ``np.random.rand() < jitter_prob`` (mmcv's RandomApply),
  then torchvision's ``ColorJitter.get_params`` (``torch.randperm(4)`` for
  the order, one ``torch`` uniform per enabled factor);
- grayscale: ``torch.rand(1) < grayscale_prob`` (torchvision's
  RandomGrayscale);
- blur: ``np.random.rand() < blur_prob`` (RandomApply), then
  ``sigma = np.random.uniform(*blur_sigma)`` (PILGaussianBlur);
- solarize: ``torch.rand(1) < solarize_prob`` (torchvision's
  RandomSolarize).

An op whose probability is 0 is absent from the view and draws nothing
(the PIL recipe's view 1 has no solarize transform at all).
"""
import math
import numbers
from typing import Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from torchvision.transforms import ColorJitter

from mmpixpro.registry import TRANSFORMS
from mmpixpro.structures import NUM_PARAMS, PARAM_INDEX


def _check_prob(name: str, value) -> float:
    if not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(
            f'DrawPhotometricParams: {name} must be a probability in [0, 1], '
            f'got {value!r}')
    return float(value)


@TRANSFORMS.register_module()
class DrawPhotometricParams(BaseTransform):
    """Draw a view's photometric parameters into ``results['photometric']``.

    Args:
        jitter: ColorJitter's ``brightness``, ``contrast``, ``saturation``
            and ``hue``, with torchvision's meaning and checks (a number
            ``v`` means ``[max(0, 1 - v), 1 + v]``, or ``[-v, v]`` for hue).
        jitter_prob: probability that the colour jitter applies.
        grayscale_prob: probability of converting to grayscale.
        blur_prob: probability of PIL's Gaussian blur.
        blur_sigma: ``(min, max)`` of the blur's uniform sigma, ``0 < min``.
        solarize_prob: probability of solarizing.
        solarize_threshold: pixels ``>= threshold`` (0-255) are inverted.
    """

    def __init__(self,
                 jitter: Optional[dict] = None,
                 jitter_prob: float = 0.8,
                 grayscale_prob: float = 0.2,
                 blur_prob: float = 1.0,
                 blur_sigma: Sequence[float] = (0.1, 2.0),
                 solarize_prob: float = 0.,
                 solarize_threshold: float = 128) -> None:
        jitter = dict(brightness=0.4, contrast=0.4, saturation=0.2,
                      hue=0.1) if jitter is None else dict(jitter)
        unknown = set(jitter) - {'brightness', 'contrast', 'saturation', 'hue'}
        if unknown:
            raise ValueError('DrawPhotometricParams: jitter takes brightness, '
                             f'contrast, saturation and hue, got {unknown}')
        try:  # torchvision's own range checks, with the option named
            self._jitter = ColorJitter(**jitter)
        except (ValueError, TypeError) as e:
            raise ValueError(f'DrawPhotometricParams: jitter={jitter!r}: {e}')
        self.jitter = jitter
        self.jitter_prob = _check_prob('jitter_prob', jitter_prob)
        self.grayscale_prob = _check_prob('grayscale_prob', grayscale_prob)
        self.blur_prob = _check_prob('blur_prob', blur_prob)
        self.solarize_prob = _check_prob('solarize_prob', solarize_prob)
        if (not isinstance(blur_sigma, (list, tuple)) or len(blur_sigma) != 2
                or not 0 < blur_sigma[0] <= blur_sigma[1]
                or not math.isfinite(blur_sigma[1])):
            raise ValueError('DrawPhotometricParams: blur_sigma must be '
                             '(min, max) with 0 < min <= max, got '
                             f'{blur_sigma!r}')
        self.blur_sigma = (float(blur_sigma[0]), float(blur_sigma[1]))
        if not (isinstance(solarize_threshold, numbers.Real)
                and 0 <= solarize_threshold <= 256):
            raise ValueError('DrawPhotometricParams: solarize_threshold must '
                             f'be in [0, 256], got {solarize_threshold!r}')
        self.solarize_threshold = float(solarize_threshold)

    def draw(self) -> np.ndarray:
        """One view's parameter vector (float32, in the order of
        :data:`mmpixpro.structures.PARAM_NAMES`)."""
        p = np.zeros(NUM_PARAMS, np.float32)
        p[PARAM_INDEX['brightness']:PARAM_INDEX['hue'] + 1] = np.nan
        p[PARAM_INDEX['order_0']:PARAM_INDEX['order_3'] + 1] = range(4)
        p[PARAM_INDEX['solarize_threshold']] = self.solarize_threshold
        if self.jitter_prob > 0 and np.random.rand() < self.jitter_prob:
            j = self._jitter
            order, *factors = j.get_params(j.brightness, j.contrast,
                                           j.saturation, j.hue)
            p[PARAM_INDEX['jitter']] = 1
            for name, value in zip(('brightness', 'contrast', 'saturation',
                                    'hue'), factors):
                if value is not None:
                    p[PARAM_INDEX[name]] = value
            p[PARAM_INDEX['order_0']:PARAM_INDEX['order_3'] + 1] = order
        if self.grayscale_prob > 0:
            p[PARAM_INDEX['grayscale']] = float(
                torch.rand(1) < self.grayscale_prob)
        if self.blur_prob > 0 and np.random.rand() < self.blur_prob:
            p[PARAM_INDEX['blur_sigma']] = np.random.uniform(*self.blur_sigma)
        if self.solarize_prob > 0:
            p[PARAM_INDEX['solarize']] = float(
                torch.rand(1).item() < self.solarize_prob)
        return p

    def transform(self, results: dict) -> dict:
        results['photometric'] = self.draw()
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(jitter={self.jitter}, '
                f'jitter_prob={self.jitter_prob}, '
                f'grayscale_prob={self.grayscale_prob}, '
                f'blur_prob={self.blur_prob}, blur_sigma={self.blur_sigma}, '
                f'solarize_prob={self.solarize_prob}, '
                f'solarize_threshold={self.solarize_threshold})')
