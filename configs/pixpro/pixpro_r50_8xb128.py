# The released 100-epoch recipe: ResNet-50, 8 GPUs x 128 images, SyncBN,
# LARS lr 4.0, fp16. Expects the ImageNet train folder at data/imagenet/train.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/pixpro_lars_coslr-100e.py',
    '../_base_/default_runtime.py',
    '../_base_/ddp_bucket_view.py',
]

# Speed levers (docs/speed.md): same loss and gradients, to fp32 round-off.
# - channels_last: NHWC weights and views, for the GPUs' tensor cores.
# - PixProLARS picks its multi-tensor update on GPUs by itself (foreach).
# - DDP: gradients are views into the all-reduce buckets (ddp_bucket_view.py).
model = dict(
    data_preprocessor={{_base_.data_preprocessor}}, channels_last=True)
