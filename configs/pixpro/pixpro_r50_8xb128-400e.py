# The paper's headline model: the 100-epoch recipe trained for 400 epochs.
_base_ = './pixpro_r50_8xb128.py'

# The base's schedule over 400 epochs; restated in full because mmengine's
# _base_ replaces a list, it does not merge it.
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=395,
        eta_min=1e-6,
        by_epoch=True,
        begin=5,
        end=400,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=400)
