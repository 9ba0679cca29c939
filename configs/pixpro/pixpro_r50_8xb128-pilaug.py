# pixpro_r50_8xb128.py with the released PIL data path: every photometric
# op runs in the dataloader workers (torchvision ColorJitter / grayscale /
# solarize and PIL's Gaussian blur on PIL images), so the views are the
# recipe's pixels bit for bit. Slower per core than the default fast path
# (docs/data_pipeline.md); the crop boxes and the photometric parameters
# drawn for a seed are the same on both paths.
_base_ = './pixpro_r50_8xb128.py'

# The PIL path's views arrive augmented: plain normalisation.
model = dict(
    data_preprocessor=dict(
        _delete_=True,
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False))
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.pil_train_pipeline}}))
