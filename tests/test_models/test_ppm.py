import pytest
import torch
import torch.nn.functional as F

from mmpixpro.models import PPM, PixelProjector
from tests.brute_force import propagate


def value_fn(ppm):
    """The value transform g written out from the module's own weights."""
    if ppm.num_transform_layers == 0:
        return lambda v: v
    if ppm.num_transform_layers == 1:
        w = ppm.value_transform.weight[:, :, 0, 0]
        b = ppm.value_transform.bias
        return lambda v: w @ v + b
    return None  # 2 layers hold a BN: checked on the whole map below


@pytest.mark.parametrize('layers', [0, 1])
@pytest.mark.parametrize('gamma,clamp_min', [(2., 0.), (1., 0.), (0.5, 0.),
                                             (3., -1.), (2., 0.3)])
def test_ppm_matches_pixel_loop(layers, gamma, clamp_min):
    torch.manual_seed(0)
    ppm = PPM(channels=8, gamma=gamma, clamp_min=clamp_min,
              num_transform_layers=layers).double()
    x = torch.randn(2, 8, 3, 4, dtype=torch.double)
    y = ppm(x)
    assert y.shape == x.shape
    g = value_fn(ppm)
    for b in range(2):
        torch.testing.assert_close(y[b], propagate(x[b], g, gamma, clamp_min))


def test_ppm_two_layer_transform_is_conv_bn_relu_conv():
    torch.manual_seed(0)
    ppm = PPM(channels=8, num_transform_layers=2,
              norm_cfg=dict(type='BN')).double().eval()
    t = ppm.value_transform
    x = torch.randn(1, 8, 3, 3, dtype=torch.double)
    # g on the whole map with BN in eval mode (running statistics), by hand.
    h = F.conv2d(x, t.linear1.weight, t.linear1.bias)
    h = (h - t.bn1.running_mean[None, :, None, None]) / torch.sqrt(
        t.bn1.running_var[None, :, None, None] + t.bn1.eps)
    h = h * t.bn1.weight[None, :, None, None] + t.bn1.bias[None, :, None,
                                                            None]
    g_map = F.conv2d(h.relu(), t.linear2.weight, t.linear2.bias)
    lookup = {}
    for r in range(3):
        for c in range(3):
            lookup[tuple(x[0, :, r, c].tolist())] = g_map[0, :, r, c]
    expected = propagate(x[0], lambda v: lookup[tuple(v.tolist())], 2., 0.)
    torch.testing.assert_close(ppm(x)[0], expected)


def test_gradient_flows_through_similarity_and_transform():
    torch.manual_seed(0)
    ppm = PPM(channels=6, num_transform_layers=1).double()
    x = torch.randn(1, 6, 2, 3, dtype=torch.double, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_(True)
    ppm(x).pow(2).sum().backward()
    propagate(x_ref[0], value_fn(ppm), 2., 0.).pow(2).sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad)
    assert ppm.value_transform.weight.grad.abs().sum() > 0


@pytest.mark.parametrize('kwargs,option', [
    (dict(gamma=0.), 'gamma'),
    (dict(gamma=-1.), 'gamma'),
    (dict(num_transform_layers=3), 'num_transform_layers'),
])
def test_invalid_options_name_themselves(kwargs, option):
    with pytest.raises(ValueError, match=option):
        PPM(**kwargs)


def test_projector_and_pointwise_conv_take_one_map():
    """``PixelProjector`` maps one tensor to one tensor; its 1x1 layers
    equal ``F.conv2d`` on their weights."""
    torch.manual_seed(0)
    proj = PixelProjector(6, 10, 4, norm_cfg=dict(type='BN')).double()
    x = torch.randn(2, 6, 3, 5, dtype=torch.double)
    h = F.conv2d(x, proj.linear1.weight, proj.linear1.bias)
    torch.testing.assert_close(proj.linear1(x), h)
    expected = F.conv2d(F.relu(proj.bn1(h)), proj.linear2.weight,
                        proj.linear2.bias)
    torch.testing.assert_close(proj(x), expected)
