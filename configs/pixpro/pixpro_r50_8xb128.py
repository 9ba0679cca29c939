# The released 100-epoch recipe: ResNet-50, 8 GPUs x 128 images, SyncBN,
# LARS lr 4.0, fp16. Expects the ImageNet train folder at data/imagenet/train.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/pixpro_lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]

# Speed levers (docs/speed.md): same loss and gradients, to fp32 round-off.
# - channels_last: NHWC weights and views, for the GPUs' tensor cores.
# - PixProLARS picks its multi-tensor update on GPUs by itself (foreach).
# - DDP: gradients are views into the all-reduce buckets (one gradient-sized
#   copy less per step); the other two values are mmengine's defaults, which
#   a given model_wrapper_cfg would otherwise replace by torch's.
model = dict(
    data_preprocessor={{_base_.data_preprocessor}}, channels_last=True)
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False,
    gradient_as_bucket_view=True)
