# pixpro_lars_coslr-100e.py (fp16, warm-up and cosine, 100 epochs of 1024)
# with AdamW for LARS: betas (0.9, 0.999), eps 1e-8, weight decay 0.05, none
# on 1-D parameters; configs set lr, warm-up start and cosine floor.
_base_ = './pixpro_lars_coslr-100e.py'

# torch's AdamW takes its multi-tensor (foreach) update on GPUs by itself.
optim_wrapper = dict(
    optimizer=dict(
        _delete_=True,
        type='AdamW',
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.05),
    paramwise_cfg=dict(flat_decay_mult=0.))
