"""The layout of a view's photometric parameter vector, shared by the fast
path's two halves: ``DrawPhotometricParams`` (the dataloader workers) writes
it, ``PhotometricDataPreprocessor`` (the device) reads it.

One float32 vector per view, entries in :data:`PARAM_NAMES` order:

- ``jitter``: 1 if the colour jitter applies, else 0;
- ``brightness``, ``contrast``, ``saturation``, ``hue``: ColorJitter's
  factors; NaN for a factor that ColorJitter leaves off (e.g. ``hue=0``);
- ``order_0`` to ``order_3``: the op applied k-th (torchvision's ids:
  0 brightness, 1 contrast, 2 saturation, 3 hue);
- ``grayscale``: 1 if converted to grayscale, else 0;
- ``blur_sigma``: the Gaussian blur's sigma, 0 for an unblurred view;
- ``solarize``: 1 if solarized, else 0;
- ``solarize_threshold``: pixels ``>=`` it (0-255) are inverted.
"""

#: Entries of a view's parameter vector, in order.
PARAM_NAMES = ('jitter', 'brightness', 'contrast', 'saturation', 'hue',
               'order_0', 'order_1', 'order_2', 'order_3', 'grayscale',
               'blur_sigma', 'solarize', 'solarize_threshold')
#: Position of each entry: ``PARAM_INDEX[name]``.
PARAM_INDEX = {name: i for i, name in enumerate(PARAM_NAMES)}
#: Length of the vector.
NUM_PARAMS = len(PARAM_NAMES)
