"""AutocastOptimWrapper: bf16 autocast without loss scaling, on the CPU."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmpixpro.engine import AutocastOptimWrapper, PixProLARS
from tests.utils import REPO


def test_bf16_config_builds_autocast_wrapper_on_cpu():
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/pixpro/pixpro_r50_8xb128-bf16.py'))
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    wrapper = build_optim_wrapper(net, cfg.optim_wrapper)
    assert isinstance(wrapper, AutocastOptimWrapper)
    assert wrapper.cast_dtype == torch.bfloat16
    assert isinstance(wrapper.optimizer, PixProLARS)
    assert wrapper.optimizer.defaults['lr'] == 4.0  # the recipe's, kept
    with wrapper.optim_context(net):
        out = net(torch.randn(2, 3, 8, 8))
    assert out.dtype == torch.bfloat16
    for bad, match in ((dict(dtype='float32'), 'dtype'),
                       (dict(loss_scale='dynamic'), 'loss_scale')):
        with pytest.raises(ValueError, match=match):
            AutocastOptimWrapper(optimizer=wrapper.optimizer, **bad)
