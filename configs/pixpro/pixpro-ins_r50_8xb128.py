# PixPro with the instance branch on (lambda = 1), 100 epochs.
_base_ = './pixpro_r50_8xb128.py'

model = dict(instance_loss_weight=1.)
