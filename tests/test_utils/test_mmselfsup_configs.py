"""An MMSelfSup 1.x config runs here after the changes that
docs/get_started.md gives: ``default_scope = 'mmpixpro'``, the ``mmcls.`` and
``mmselfsup.`` type prefixes become ``mmpretrain.``, and the three transforms
mmpretrain renamed take their new names and arguments."""
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, default_collate
from mmengine.registry import DefaultScope

from mmpixpro.registry import MODELS

# The shape of MMSelfSup 1.x's BYOL config (configs/selfsup/byol), shrunk to
# a ResNet-18 at 32 px so the test runs in a second.
MMSELFSUP_1X_BYOL = """
default_scope = 'mmselfsup'
view_pipeline = [
    dict(type='RandomResizedCrop', size=32, scale=(0.2, 1.0),
         backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomApply', prob=0.8, transforms=[dict(
        type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2,
        hue=0.1)]),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='RandomGaussianBlur', sigma_min=0.1, sigma_max=2.0, prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackSelfSupInputs', meta_keys=['img_path']),
]
train_dataloader = dict(
    batch_size=2,
    dataset=dict(type='mmcls.ImageNet', data_root='data/imagenet/',
                 pipeline=train_pipeline))
model = dict(
    type='BYOL',
    base_momentum=0.01,
    data_preprocessor=dict(
        type='mmselfsup.SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(type='ResNet', depth=18, zero_init_residual=False),
    neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=64,
              out_channels=16, num_layers=2, with_bias=True,
              with_last_bn=False, with_avg_pool=True),
    head=dict(type='LatentPredictHead',
              predictor=dict(type='NonLinearNeck', in_channels=16,
                             hid_channels=64, out_channels=16, num_layers=2,
                             with_bias=True, with_last_bn=False,
                             with_avg_pool=False),
              loss=dict(type='CosineSimilarityLoss')))
"""


def migrate(text: str) -> str:
    """The documented changes, as a user makes them in an editor."""
    text = (text.replace("default_scope = 'mmselfsup'",
                         "default_scope = 'mmpixpro'")
            .replace("'mmcls.", "'mmpretrain.")
            .replace("'mmselfsup.", "'mmpretrain.")
            .replace("'PackSelfSupInputs'", "'PackInputs'"))
    # RandomResizedCrop(size=S, scale=R) -> (scale=S, crop_ratio_range=R)
    text = re.sub(r"'RandomResizedCrop', size=(\d+), scale=",
                  r"'RandomResizedCrop', scale=\1, crop_ratio_range=", text)
    # RandomGaussianBlur(sigma_min=a, sigma_max=b, prob=p) ->
    # GaussianBlur(magnitude_range=(a, b), magnitude_std='inf', prob=p)
    return re.sub(
        r"'RandomGaussianBlur', sigma_min=([\d.]+), sigma_max=([\d.]+),",
        r"'GaussianBlur', magnitude_range=(\1, \2), magnitude_std='inf',",
        text)


def load(text, tmp_path):
    path = tmp_path / 'byol_mmselfsup.py'
    path.write_text(text)
    return Config.fromfile(str(path))


def test_migrated_config_trains_a_step(tmp_path):
    cfg = load(migrate(MMSELFSUP_1X_BYOL), tmp_path)
    assert cfg.default_scope == 'mmpixpro'
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        pipeline = Compose(cfg.train_pipeline[1:])
        rng = np.random.default_rng(0)
        samples = [
            pipeline(dict(img=rng.integers(0, 256, (40, 48, 3),
                                           dtype=np.uint8), img_path='x'))
            for _ in range(2)
        ]
        model = MODELS.build(cfg.model)
        model.train()
        data = model.data_preprocessor(default_collate(samples), True)
        losses = model.loss(data['inputs'], data['data_samples'])
    # mmpretrain's CosineSimilarityLoss is -cos per direction, and BYOL
    # returns 2 x their sum: finite and inside [-4, 4].
    loss = losses['loss']
    assert torch.isfinite(loss) and -4 <= loss.item() <= 4
    loss.backward()
    assert model.backbone.conv1.weight.grad.abs().sum() > 0
    # The dataset type resolves to mmpretrain's ImageNet.
    from mmpretrain.datasets import ImageNet
    from mmpixpro.registry import DATASETS
    assert DATASETS.get(cfg.train_dataloader.dataset.type) is ImageNet


def test_unmigrated_config_names_what_is_missing(tmp_path):
    # Without the changes, the old names and arguments are refused.
    cfg = load(MMSELFSUP_1X_BYOL.replace("'mmselfsup'", "'mmpixpro'"),
               tmp_path)
    with DefaultScope.overwrite_default_scope('mmpixpro'):
        with pytest.raises(KeyError, match='PackSelfSupInputs'):
            Compose([cfg.train_pipeline[-1]])
        with pytest.raises(TypeError, match="'size'"):
            Compose([cfg.view_pipeline[0]])
