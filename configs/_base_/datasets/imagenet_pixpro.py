# The recipe's two views on the fast path: the workers crop, flip and draw
# the photometric parameters, data_preprocessor applies them on the device;
# a config takes both (model.data_preprocessor from _base_). PIL path:
# imagenet_pixpro_pil.py; docs/data_pipeline.md.
_base_ = './imagenet_pixpro_common.py'

# The crops are resized with torch's antialiased uint8 kernel (within 1
# level of PIL's, 3-4x faster on one core; docs/data_pipeline.md).
fast_crop = dict(_base_.crop, backend='torch')
# Both views: crop with its box, flip, colour jitter (p 0.8), grayscale
# (p 0.2); then the asymmetric part: view 1 always blurred, view 2 blurred
# 10% of the time and solarized 20% of the time.
photometric = dict(
    type='DrawPhotometricParams',
    jitter=_base_.jitter,
    jitter_prob=0.8,
    grayscale_prob=0.2,
    blur_sigma=(0.1, 2.),
    solarize_threshold=128)
view_pipeline1 = [
    fast_crop, _base_.flip,
    dict(photometric, blur_prob=1.0, solarize_prob=0.)
]
view_pipeline2 = [
    fast_crop, _base_.flip,
    dict(photometric, blur_prob=0.1, solarize_prob=0.2)
]
train_pipeline = [
    # JPEGs through simplejpeg (the same pixels as PIL, 0-12% more samples
    # per core, docs/data_pipeline.md), anything else through PIL as in
    # LoadRGBImageFromFile; skip_invalid=True skips unreadable files (each is
    # logged) instead of stopping at the first one.
    dict(type='LoadRGBImageTurbo', skip_invalid=False),
    dict(type='TwoViewsWithCoord', transforms=[view_pipeline1,
                                               view_pipeline2]),
    dict(
        type='PackInputs',
        algorithm_keys=['coord', 'photometric'],
        meta_keys=['img_path']),
]
# The other half: the photometric ops, batched on the device, then the
# normalisation. The views arrive in RGB: no channel swap.
data_preprocessor = dict(
    type='PhotometricDataPreprocessor',
    non_blocking=True,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=False)

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
