# The paper's headline model: the 100-epoch recipe trained for 400 epochs.
_base_ = './pixpro_r50_8xb128.py'

# The base's warm-up, then its cosine over the 395 epochs after it (the
# list is restated: mmengine's _base_ replaces a list, it does not merge it).
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], T_max=395, end=400)
]
train_cfg = dict(max_epochs=400)
