"""Checkpoints written by real training runs (our PixPro and mmpretrain's
BYOL, through mmengine's Runner) need nothing outside the safe loader's
allow-list, and every reader takes them without the opt-in."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmpixpro.converters.safe_load import (SAFE_GLOBALS, globals_in_file,
                                           load_checkpoint_file)
from mmpixpro.evaluation import build_backbone
from tests.utils import REPO, build_runner, load_tool_main

CONFIGS = {
    'pixpro': 'configs/pixpro/pixpro_resnet18-w16_1xb32-900it_scenes.py',
    'byol': 'configs/byol/byol_resnet18-w16_1xb32-900it_scenes.py',
}
# torch's own: tensor rebuilding, OrderedDict, bytes
TORCH_OWN = ('torch.', 'collections.OrderedDict', '_codecs.encode')


def train_two_steps(name, work, small_images):
    cfg = Config.fromfile(osp.join(REPO, CONFIGS[name]))
    cfg.work_dir = str(work)
    cfg.launcher = 'none'
    cfg.train_cfg.max_iters = 2
    loader = cfg.train_dataloader
    loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    loader.dataset.data_root = small_images
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0,
                                by_epoch=False, begin=0, end=2)]
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    build_runner(cfg).train()
    return osp.join(str(work), 'iter_2.pth')


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_training_checkpoints_load_safely(tmp_path, small_images, name, capsys):
    path = train_two_steps(name, tmp_path / name, small_images)
    needed = [g for g in globals_in_file(path) if not g.startswith(TORCH_OWN)]
    assert set(needed) <= set(SAFE_GLOBALS), set(needed) - set(SAFE_GLOBALS)
    ckpt = torch.load(path, weights_only=True)  # the allow-list, no opt-in
    assert ckpt['meta']['iter'] == 2
    # Every reader: the converters and the probe's backbone loading.
    extract = load_tool_main('model_converters', 'extract_backbone_weights.py')
    to_d2 = load_tool_main('model_converters', 'to_detectron2.py')
    for target in ([], ['--target']):
        assert extract([path, str(tmp_path / f'b{len(target)}.pth')] +
                       target) == 0
        assert to_d2([path, str(tmp_path / f'd{len(target)}.pkl')] +
                     target) == 0
    backbone, kind = build_backbone(osp.join(REPO, CONFIGS[name]), path)
    assert kind == 'pretraining'
    state = load_checkpoint_file(path)['state_dict']
    assert torch.equal(backbone.state_dict()['conv1.weight'],
                       state['backbone.conv1.weight'])
