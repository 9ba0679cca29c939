"""The fast path's device side: the photometric augmentation of every view,
batched, before normalisation."""
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmpretrain.models.utils import SelfSupDataPreprocessor

from mmpixpro.registry import MODELS
from mmpixpro.structures import NUM_PARAMS, PARAM_INDEX
from . import photometric_ops as ops

_I = PARAM_INDEX
_JITTER_OPS = ((0, 'brightness', ops.adjust_brightness),
               (1, 'contrast', ops.adjust_contrast),
               (2, 'saturation', ops.adjust_saturation),
               (3, 'hue', ops.adjust_hue))

MISSING_PARAMS = (
    'PhotometricDataPreprocessor got a training batch whose data samples '
    'carry no "photometric" parameters. The fast path has two pieces that '
    'belong together: the train pipeline (DrawPhotometricParams after the '
    'crop and flip of each view, PackInputs(algorithm_keys=["coord", '
    '"photometric"])) and model.data_preprocessor='
    'PhotometricDataPreprocessor; configs/_base_/datasets/imagenet_pixpro.py '
    'declares both. A PIL-path pipeline (photometric ops in the workers: '
    'configs/_base_/datasets/imagenet_pixpro_pil.py, as '
    'configs/pixpro/pixpro_r50_8xb128-pilaug.py takes it, or '
    'scenes_pixpro.py) needs model.data_preprocessor='
    'SelfSupDataPreprocessor instead, which those files declare beside it.')

#: Metainfo key PhotometricDataPreprocessor sets on every data sample whose
#: photometric parameters it has applied.
APPLIED_KEY = 'photometric_applied'


def check_photometric_applied(data_samples: Optional[Sequence],
                              data_preprocessor=None) -> None:
    """Refuse data samples whose photometric parameters nobody applied.

    The fast path's workers only draw each view's colour jitter, grayscale,
    blur and solarize (``DrawPhotometricParams``); the ops run in
    :class:`PhotometricDataPreprocessor`. Any other preprocessor (e.g.
    mmpretrain's ``SelfSupDataPreprocessor``, as in its BYOL config) passes
    the views through unaugmented, so a loss computed on them would train
    without the recipe's photometric augmentation and say nothing.

    Args:
        data_samples (Sequence[DataSample], optional): the batch's data
            samples, as the model's ``loss`` receives them.
        data_preprocessor (nn.Module, optional): the model's preprocessor,
            named in the error. Defaults to None.

    Raises:
        TypeError: a data sample carries ``photometric`` parameters that
            :class:`PhotometricDataPreprocessor` has not applied.
    """
    for s in data_samples or ():
        if 'photometric' in s and not s.metainfo.get(APPLIED_KEY, False):
            raise TypeError(unapplied_photometric_message(
                'an unknown preprocessor' if data_preprocessor is None else
                type(data_preprocessor).__name__))


def unapplied_photometric_message(preprocessor: str) -> str:
    """What is wrong and the fix, when the train pipeline draws photometric
    parameters (``DrawPhotometricParams``) that ``preprocessor`` (its type
    name) will not apply."""
    return (
        'The train pipeline\'s DrawPhotometricParams (the fast path) draws '
        'photometric parameters for the data samples that '
        f'model.data_preprocessor ({preprocessor}) does not apply: training '
        'would run without colour jitter, grayscale, blur or solarize. Set '
        'model.data_preprocessor.type=PhotometricDataPreprocessor (the '
        'data_preprocessor of configs/_base_/datasets/imagenet_pixpro.py, '
        'beside the fast pipeline), or use a PIL-path pipeline that applies '
        'the ops in the workers with the SelfSupDataPreprocessor declared '
        'beside it (configs/_base_/datasets/imagenet_pixpro_pil.py).')


def apply_photometric(x: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
    """Apply each sample's photometric parameters to one view batch.

    Args:
        x: (n, 3, H, W) float RGB of integer values in [0, 255], on the
            device; changed in place and returned.
        params: (n, K) float32 on the CPU, the layout of
            ``DrawPhotometricParams``. Which samples each op touches is
            decided here on the host, so nothing waits for the device.
    """
    device = x.device
    params = params.float().cpu()

    def apply(mask, fn, *args):
        idx = torch.nonzero(mask).flatten()
        if len(idx) == len(x):
            x.copy_(fn(x, *args))
        elif len(idx):
            d = idx.to(device, non_blocking=True)
            x[d] = fn(x[d], *[a[idx] if torch.is_tensor(a) else a[idx.numpy()]
                              for a in args])

    jitter = params[:, _I['jitter']] > 0
    for k in range(4):
        order = params[:, _I[f'order_{k}']]
        for op_id, name, fn in _JITTER_OPS:
            factor = params[:, _I[name]]
            mask = jitter & (order == op_id) & ~torch.isnan(factor)
            apply(mask, lambda v, f: fn(v, f.to(device)), factor)
    apply(params[:, _I['grayscale']] > 0, lambda v: ops.to_grayscale(v))
    sigma = params[:, _I['blur_sigma']].numpy()
    apply(torch.from_numpy(sigma > 0), ops.gaussian_blur, sigma)
    apply(params[:, _I['solarize']] > 0,
          lambda v, t: ops.solarize(v, t.to(device)),
          params[:, _I['solarize_threshold']])
    return x


@MODELS.register_module()
class PhotometricDataPreprocessor(SelfSupDataPreprocessor):
    """``SelfSupDataPreprocessor`` that first applies, in training, each
    view's photometric augmentation drawn by the dataloader workers.

    Expects the fast path's batches: ``inputs`` a list of view batches, each
    (N, 3, H, W) uint8, and data samples carrying ``photometric``, a (views,
    K) float32 tensor from ``DrawPhotometricParams``
    (``TwoViewsWithCoord`` stacks the views'). The ops reproduce PIL's
    8-bit arithmetic (see ``photometric_ops``). Outside training it is
    ``SelfSupDataPreprocessor`` (normalisation only).

    The data samples' ``coord`` reach the device in one transfer, not one
    per sample. Arguments are ``SelfSupDataPreprocessor``'s.
    """

    def __init__(self,
                 mean: Optional[Sequence[Union[float, int]]] = None,
                 std: Optional[Sequence[Union[float, int]]] = None,
                 to_rgb: bool = False,
                 non_blocking: bool = False,
                 **kwargs) -> None:
        if std is not None and any(not s > 0 for s in std):
            raise ValueError('PhotometricDataPreprocessor: std must be '
                             f'positive, got {std!r}')
        super().__init__(mean=mean, std=std, to_rgb=to_rgb,
                         non_blocking=non_blocking, **kwargs)

    def _params(self, data_samples, num_views: int) -> torch.Tensor:
        if not data_samples or not all(
                'photometric' in s for s in data_samples):
            raise KeyError(MISSING_PARAMS)
        params = torch.stack([s.photometric for s in data_samples])
        if params.shape[1:] != (num_views, NUM_PARAMS):
            raise ValueError(
                f'PhotometricDataPreprocessor: expected photometric '
                f'parameters of shape ({num_views}, {NUM_PARAMS}) per sample '
                f'(one row per view), got {tuple(params.shape[1:])}')
        return params

    def _move_coords(self, data_samples) -> None:
        if all('coord' in s for s in data_samples):
            coords = torch.stack([s.coord for s in data_samples]).to(
                self.device, non_blocking=self._non_blocking)
            for s, c in zip(data_samples, coords):
                s.coord = c

    def forward(self, data: dict, training: bool = False) -> dict:
        if not training:
            return super().forward(data, training)
        inputs, data_samples = data['inputs'], data.get('data_samples')
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('PhotometricDataPreprocessor: inputs must be the '
                            'list of view batches of a two-view pipeline, '
                            f'got {type(inputs).__name__}')
        params = self._params(data_samples, len(inputs))
        self._move_coords(data_samples)
        views: List[torch.Tensor] = []
        for v, view in enumerate(inputs):
            x = self.cast_data(view)
            if self._channel_conversion:  # the ops expect RGB
                x = x[:, [2, 1, 0], ...]
            x = apply_photometric(x.float(), params[:, v])
            if self._enable_normalize:
                x = (x - self.mean) / self.std
            views.append(x)
        for s in data_samples:
            s.set_metainfo({APPLIED_KEY: True})
        return {'inputs': views, 'data_samples': data_samples}
