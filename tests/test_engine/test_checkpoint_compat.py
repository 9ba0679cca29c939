"""mmengine 0.10 loads its checkpoints under torch >= 2.6 (weights_only
default) once mmpixpro is imported."""
import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModule
from mmengine.runner.checkpoint import _load_checkpoint


def mmengine_style_checkpoint(path):
    net = nn.Conv2d(3, 4, 1)
    torch.save(
        dict(
            meta=dict(epoch=np.int64(3), seed=np.float64(0.5)),
            message_hub=dict(log_scalars={'train/loss': HistoryBuffer([1.], [1])}),
            state_dict={f'conv.{k}': v for k, v in net.state_dict().items()}),
        path)
    return net


def test_plain_torch_load_would_refuse(tmp_path):
    mmengine_style_checkpoint(tmp_path / 'c.pth')
    try:
        torch.load(tmp_path / 'c.pth')
    except Exception:
        pass  # torch >= 2.6
    else:
        assert torch.__version__ < '2.6'


def test_load_and_pretrained_init(tmp_path):
    net = mmengine_style_checkpoint(tmp_path / 'c.pth')
    ckpt = _load_checkpoint(str(tmp_path / 'c.pth'), map_location='cpu')
    assert int(ckpt['meta']['epoch']) == 3

    class Holder(BaseModule):

        def __init__(self):
            super().__init__(init_cfg=dict(
                type='Pretrained', checkpoint=str(tmp_path / 'c.pth')))
            self.conv = nn.Conv2d(3, 4, 1)

    holder = Holder()
    holder.init_weights()
    assert torch.equal(holder.conv.weight, net.weight)
