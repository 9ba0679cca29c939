"""Checkpoints in the released PixPro layout (docs/recipe.md, "Released
checkpoints"), built from torchvision's ResNet-50 names and the authors'
MLP2d shapes, and our ResNet-50 PixPro with plain BN for loading them on
CPU."""
import copy
import os.path as osp

import torch
import torchvision
from mmengine.config import Config

from tests.utils import REPO

R50_CONFIG = osp.join(REPO, 'configs', 'pixpro', 'pixpro_r50_8xb128.py')


def mlp2d(prefix, cin, hid, cout):
    return {
        f'{prefix}.linear1.weight': torch.randn(hid, cin, 1, 1),
        f'{prefix}.linear1.bias': torch.randn(hid),
        f'{prefix}.bn1.weight': torch.rand(hid),
        f'{prefix}.bn1.bias': torch.randn(hid),
        f'{prefix}.bn1.running_mean': torch.randn(hid),
        f'{prefix}.bn1.running_var': torch.rand(hid),
        f'{prefix}.bn1.num_batches_tracked': torch.tensor(7),
        f'{prefix}.linear2.weight': torch.randn(cout, hid, 1, 1),
        f'{prefix}.linear2.bias': torch.randn(cout),
    }


def released_checkpoint(instance=False, transform_layers=1):
    torch.manual_seed(0)
    sd = {}
    for name in ('encoder', 'encoder_k'):
        resnet = torchvision.models.resnet50(weights=None).state_dict()
        sd.update({f'{name}.{k}': v for k, v in resnet.items()})
    sd.update(mlp2d('projector', 2048, 4096, 256))
    sd.update(mlp2d('projector_k', 2048, 4096, 256))
    if transform_layers == 1:
        sd['value_transform.weight'] = torch.randn(256, 256, 1, 1)
        sd['value_transform.bias'] = torch.randn(256)
    elif transform_layers == 2:
        sd.update(mlp2d('value_transform', 256, 256, 256))
    if instance:
        sd.update(mlp2d('projector_instance', 2048, 4096, 256))
        sd.update(mlp2d('projector_instance_k', 2048, 4096, 256))
        sd.update(mlp2d('predictor', 256, 4096, 256))
    return {'model': {f'module.{k}': v for k, v in sd.items()}}


def r50_model_cfg():
    """The released recipe's model config with BN instead of SyncBN."""
    cfg = copy.deepcopy(Config.fromfile(R50_CONFIG).model)
    bn = dict(type='BN')
    for part in (cfg.backbone, cfg.neck, cfg.head.predictor, cfg.instance_neck,
                 cfg.instance_head.predictor):
        part.norm_cfg = bn
    return cfg
