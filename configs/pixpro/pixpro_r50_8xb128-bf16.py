# The released recipe in bf16 autocast instead of fp16 with loss scaling:
# bf16 has fp32's exponent range, so gradients need no scaling. The PPM's
# similarities and the loss's sums stay fp32 either way (docs/speed.md).
_base_ = './pixpro_r50_8xb128.py'

optim_wrapper = dict(
    type='AutocastOptimWrapper', dtype='bfloat16', loss_scale=None)
