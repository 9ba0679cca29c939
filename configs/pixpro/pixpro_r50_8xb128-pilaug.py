# pixpro_r50_8xb128.py with the released PIL data path: the recipe's pixels
# bit for bit, slower per core than the default fast path.
# Notes: configs/pixpro/README.md, "Notes per config".
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_pixpro_pil.py',
    '../_base_/schedules/pixpro_lars_coslr-100e.py',
    '../_base_/default_runtime.py',
    '../_base_/ddp_bucket_view.py',
]

# The speed levers of pixpro_r50_8xb128.py (docs/speed.md).
model = dict(
    data_preprocessor={{_base_.data_preprocessor}}, channels_last=True)
