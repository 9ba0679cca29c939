import torch
import torch.nn.functional as F

from mmpixpro.models import InstanceConsistencyHead


def test_pool_after_predictor_then_normalise():
    torch.manual_seed(0)
    head = InstanceConsistencyHead(predictor=dict(
        type='PixelProjector', in_channels=6, hid_channels=10, out_channels=6,
        norm_cfg=dict(type='BN'))).double()
    online = torch.randn(3, 6, 4, 5, dtype=torch.double)
    target = torch.randn(3, 6, 4, 5, dtype=torch.double)
    loss = head.loss(online, target)

    # The per-pixel MLP written out: BN in training mode normalises with the
    # batch's statistics over N, H and W (biased variance).
    p = head.predictor
    h = torch.einsum('oc,nchw->nohw', p.linear1.weight[:, :, 0, 0], online)
    h = h + p.linear1.bias[None, :, None, None]
    mean = h.mean((0, 2, 3), keepdim=True)
    var = h.var((0, 2, 3), unbiased=False, keepdim=True)
    h = (h - mean) / torch.sqrt(var + p.bn1.eps)
    h = h * p.bn1.weight[None, :, None, None] + p.bn1.bias[None, :, None,
                                                           None]
    h = torch.einsum('oc,nchw->nohw', p.linear2.weight[:, :, 0, 0], h.relu())
    h = h + p.linear2.bias[None, :, None, None]
    total = 0.
    for n in range(3):
        pred = h[n].mean((1, 2))
        tgt = target[n].mean((1, 2))
        total = total + (pred / pred.norm()) @ (tgt / tgt.norm())
    torch.testing.assert_close(loss, -2 * total / 3)
    # Pooling before the MLP would give another value.
    pooled_first = -2 * F.cosine_similarity(
        p(online.mean((2, 3), keepdim=True)).flatten(1),
        target.mean((2, 3)), dim=1).mean()
    assert not torch.allclose(loss, pooled_first)
