"""Photometric transforms of the recipe (docs/recipe.md, "Data") that neither
mmpretrain nor torchvision provides in the released form."""
import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image, ImageFilter

from mmpixpro.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PILGaussianBlur(BaseTransform):
    """PIL's Gaussian blur with ``sigma ~ U(sigma_min, sigma_max)`` (the
    released code's blur: ``ImageFilter.GaussianBlur(radius=sigma)``).

    Works on ``results['img']`` as a PIL image; wrap it in ``RandomApply``
    for a probability.
    """

    def __init__(self, sigma_min: float = 0.1, sigma_max: float = 2.0) -> None:
        if not 0 <= sigma_min <= sigma_max:
            raise ValueError('PILGaussianBlur: need 0 <= sigma_min <= '
                             f'sigma_max, got {sigma_min!r}, {sigma_max!r}')
        self.sigma_min, self.sigma_max = sigma_min, sigma_max

    def transform(self, results: dict) -> dict:
        img = results['img']
        if not isinstance(img, Image.Image):
            img = Image.fromarray(img)
        sigma = np.random.uniform(self.sigma_min, self.sigma_max)
        results['img'] = img.filter(ImageFilter.GaussianBlur(radius=sigma))
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(sigma_min={self.sigma_min}, '
                f'sigma_max={self.sigma_max})')
