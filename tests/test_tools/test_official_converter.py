"""The released-checkpoint converter, on checkpoints built from the released
layout (docs/recipe.md, "Released checkpoints": torchvision ResNet-50 names
+ the authors' MLP2d), loaded strictly into our PixPro-R50."""
import pytest
import torch
import torchvision
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS
from tests.utils import load_tool_main
from tests.released_layout import released_checkpoint, r50_model_cfg


def load_tool():
    return load_tool_main('model_converters',
                          'pixpro_official_to_mmpixpro.py')


@pytest.mark.parametrize('instance,layers', [(False, 1), (True, 1),
                                             (False, 2), (False, 0)])
def test_released_checkpoint_loads_strictly(tmp_path, instance, layers,
                                            max_iters):
    src, dst = tmp_path / 'released.pth', tmp_path / 'ours.pth'
    released = released_checkpoint(instance, layers)
    torch.save(released, src)
    assert load_tool()([str(src), str(dst)]) == 0
    ckpt = torch.load(dst, map_location='cpu', weights_only=True)
    assert ckpt['meta']['instance_branch'] == instance
    assert ckpt['meta']['num_transform_layers'] == layers

    cfg = r50_model_cfg()
    cfg.instance_loss_weight = 1. if instance else 0.
    cfg.head.predictor.num_transform_layers = layers
    model = MODELS.build(cfg)
    model.init_weights()
    model.load_state_dict(ckpt['state_dict'], strict=True)

    rel = released['model']
    pairs = {
        'backbone.layer4.2.conv3.weight': 'encoder.layer4.2.conv3.weight',
        'backbone.bn1.running_var': 'encoder.bn1.running_var',
        'target_net.module.backbone.conv1.weight': 'encoder_k.conv1.weight',
        'neck.linear1.weight': 'projector.linear1.weight',
        'target_net.module.neck.bn1.running_mean':
        'projector_k.bn1.running_mean',
    }
    if layers == 1:
        pairs['head.predictor.value_transform.bias'] = 'value_transform.bias'
    if layers == 2:
        pairs['head.predictor.value_transform.linear2.weight'] = \
            'value_transform.linear2.weight'
    if instance:
        pairs['instance_neck.linear2.bias'] = 'projector_instance.linear2.bias'
        pairs['target_net.module.instance_neck.linear1.weight'] = \
            'projector_instance_k.linear1.weight'
        pairs['instance_head.predictor.bn1.weight'] = 'predictor.bn1.weight'
    state = model.state_dict()
    for ours, theirs in pairs.items():
        assert torch.equal(state[ours], rel[f'module.{theirs}']), ours

    # Training continues: the first momentum update averages into the loaded
    # target (tau_0 = 0.99), it does not copy the online network over it.
    online = model.backbone.conv1.weight.detach().clone()
    target = model.target_net.module.backbone.conv1.weight.detach().clone()
    sample = DataSample()
    sample.set_field(torch.tensor([[0., 0., 1., 1.], [1., 0., 0., 1.]]),
                     'coord')
    losses = model.loss([torch.randn(1, 3, 64, 64)] * 2, [sample])
    assert torch.isfinite(sum(losses.values()))
    torch.testing.assert_close(
        model.target_net.module.backbone.conv1.weight,
        0.99 * target + 0.01 * online)


def test_wrong_files_are_refused_and_nothing_is_written(tmp_path):
    main = load_tool()
    dst = tmp_path / 'out.pth'
    cases = {
        'torchvision.pth': torchvision.models.resnet18(weights=None)
        .state_dict(),
        'mmengine.pth': dict(meta={}, state_dict={'backbone.conv1.weight':
                                                  torch.ones(1)}),
        'model_without_encoder.pth': dict(model={'module.fc.weight':
                                                 torch.ones(1)}),
    }
    for name, obj in cases.items():
        torch.save(obj, tmp_path / name)
    (tmp_path / 'notes.pth').write_text('not a checkpoint')
    for name in list(cases) + ['notes.pth']:
        assert main([str(tmp_path / name), str(dst)]) == 1, name
        assert not dst.exists()


def test_wrong_file_messages_say_what_was_expected_and_found(
        tmp_path, capsys):
    main = load_tool()
    torch.save(torchvision.models.resnet18(weights=None).state_dict(),
               tmp_path / 'tv.pth')
    main([str(tmp_path / 'tv.pth'), str(tmp_path / 'o.pth')])
    err = capsys.readouterr().err
    assert 'expected a released PixPro checkpoint' in err
    assert 'torchvision-style ResNet' in err and 'nothing written' in err

    released = released_checkpoint()
    released['model']['module.queue'] = torch.ones(3)
    torch.save(released, tmp_path / 'extra.pth')
    main([str(tmp_path / 'extra.pth'), str(tmp_path / 'o.pth')])
    assert 'unrecognised keys' in capsys.readouterr().err
