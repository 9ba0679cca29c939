# The released 100-epoch schedule (docs/recipe.md, "Optimisation"): the
# LARS of pixpro_lars.py, lr 4.0 for a total batch of 1024, 5 warm-up
# epochs from 1% of the lr, then cosine to 1e-6, stepped every iteration;
# fp16.
_base_ = './pixpro_lars.py'

optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')

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
        T_max=95,
        eta_min=1e-6,
        by_epoch=True,
        begin=5,
        end=100,
        convert_to_iter_based=True)
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)

# `tools/train.py --auto-scale-lr` rescales lr 4.0 from a total batch of 1024
# to this run's. rule='linear' is mmengine's (lr x batch / 1024); the authors
# advise rule='sqrt' below 1024 (lr x sqrt(batch / 1024)).
auto_scale_lr = dict(base_batch_size=1024, enable=False, rule='linear')
