"""PixPro beyond ResNet, the whole chain per backbone family on CPU: the
ConvNeXt-T and Swin-T pre-training configs (shrunk to a few narrow blocks
by config edits here) train 2 steps through the Runner and resume bit-
exactly; the backbone is extracted; the dense probe runs on it at any
stage; the propagation picture draws; the ViT config runs a step. The
downstream configs take the file in
tests/test_evaluation/test_other_backbone_transfer.py."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from PIL import Image

from mmpixpro.converters import backbone_family, extract_backbone
from mmpixpro.evaluation import run_probe
from mmpixpro.evaluation.probe_backbone import build_backbone
from mmpixpro.registry import HOOKS, MODELS
from mmpixpro.utils import syncbn_to_bn
from tests.utils import REPO, build_runner
from tests.test_engine.test_training import assert_equal_tree
from tests.test_evaluation.test_dense_probe import blocky_split

pytestmark = pytest.mark.slow

CONFIGS = {
    'ConvNeXt': osp.join(REPO,
                         'configs/pixpro/pixpro_convnext-tiny_8xb128.py'),
    'SwinTransformer': osp.join(REPO,
                                'configs/pixpro/pixpro_swin-tiny_8xb128.py'),
}
VIT_CONFIG = osp.join(REPO, 'configs/pixpro/pixpro_vit-tiny-p32_1xb16-4e.py')
# A few narrow blocks of each family, under the configs' own module names;
# stage widths (8, 16, 32, 64) for both.
TINY_BACKBONES = {
    'ConvNeXt': dict(arch=dict(depths=[1, 1, 1, 1], channels=[8, 16, 32, 64])),
    # 2x2 windows: the probe's 64 px images give stage 4 a 2x2 map, and
    # mmpretrain's Swin refuses maps smaller than a window.
    'SwinTransformer': dict(
        arch=dict(embed_dims=8, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1]),
        window_size=2),
}
WIDTHS = [8, 16, 32, 64]


def shrink(cfg: Config, in_channels: int) -> Config:
    """The config at test size: BN for SyncBN, the projectors and PPM
    narrow; everything else (views, loss, optimiser type) as written."""
    syncbn_to_bn(cfg.model)
    for name in ('neck', 'instance_neck'):
        cfg.model[name].update(in_channels=in_channels, hid_channels=32,
                               out_channels=16)
    cfg.model.head.predictor.channels = 16
    cfg.model.instance_head.predictor.update(in_channels=16, hid_channels=32,
                                             out_channels=16)
    return cfg


def tiny_config(family: str) -> Config:
    cfg = Config.fromfile(CONFIGS[family])
    cfg.model.backbone.update(TINY_BACKBONES[family])
    return shrink(cfg, WIDTHS[-1])


def runner_config(family, work_dir, data_root, max_epochs=2):
    """The family's config as a 2-epoch run of 1 step each (4 images, batch
    4), a checkpoint every epoch, the lr schedule's shape over 2 epochs."""
    cfg = tiny_config(family)
    # Stochastic depth as the config has it (0.1 for ConvNeXt-T): it draws
    # from the main process's torch RNG, which the checkpoint keeps.
    cfg.model.backbone.drop_path_rate = 0.1
    cfg.work_dir = str(work_dir)
    cfg.launcher = 'none'
    cfg.pop('model_wrapper_cfg')
    loader = cfg.train_dataloader
    loader.update(batch_size=4, num_workers=1, persistent_workers=False,
                  pin_memory=False)
    loader.dataset.update(data_root=str(data_root), data_prefix='',
                          indices=4)
    cfg.train_cfg.max_epochs = max_epochs
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.5, by_epoch=True, begin=0,
             end=1, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', T_max=1, eta_min=1e-6, by_epoch=True,
             begin=1, end=max_epochs, convert_to_iter_based=True)
    ]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=1,
                                        max_keep_ckpts=5)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.randomness = dict(seed=0)
    return cfg


@HOOKS.register_module()
class _StopOtherBackboneRun(Hook):
    """A job killed after its first epoch's checkpoint."""
    priority = 'LOWEST'

    def after_train_epoch(self, runner):
        raise KeyboardInterrupt('stopped for the resume test')


def load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


@pytest.fixture(scope='module', params=list(CONFIGS))
def pretrained(request, tmp_path_factory, images):
    """Per family: a straight 2-step run, the same run stopped after step 1
    and resumed, and the backbone extracted from the straight run."""
    family = request.param
    root = tmp_path_factory.mktemp(family)
    build_runner(runner_config(family, root / 'straight', images)).train()
    stopped = runner_config(family, root / 'resumed', images)
    stopped.custom_hooks = stopped.custom_hooks + [
        dict(type='_StopOtherBackboneRun')]
    with pytest.raises(KeyboardInterrupt):
        build_runner(stopped).train()
    resumed = runner_config(family, root / 'resumed', images)
    resumed.resume = True
    resumed.load_from = str(root / 'resumed' / 'epoch_1.pth')
    build_runner(resumed).train()
    backbone = str(root / 'backbone.pth')
    extract_backbone(str(root / 'straight' / 'epoch_2.pth'), backbone,
                     logger='silent')
    return dict(family=family, root=root, backbone=backbone)


def test_pretraining_resumes_bit_exactly(pretrained):
    root = pretrained['root']
    a = load(root / 'straight' / 'epoch_2.pth')
    b = load(root / 'resumed' / 'epoch_2.pth')
    assert a['meta']['iter'] == b['meta']['iter'] == 2
    assert int(a['state_dict']['target_net.steps']) == 2
    # the backbone is the family's, and it trained
    assert any(k.startswith('backbone.stages.') for k in a['state_dict'])
    first = load(root / 'resumed' / 'epoch_1.pth')
    assert not torch.equal(first['state_dict']['backbone.norm3.weight'],
                           a['state_dict']['backbone.norm3.weight'])
    assert_equal_tree(a['state_dict'], b['state_dict'], 'state_dict')
    # AdamW's moments for every parameter, and the param groups
    assert all('exp_avg' in s for s in a['optimizer']['state'].values())
    assert_equal_tree(a['optimizer'], b['optimizer'], 'optimizer')


def test_extracted_file_is_the_online_backbone(pretrained):
    state = load(pretrained['root'] / 'straight' / 'epoch_2.pth')['state_dict']
    written = torch.load(pretrained['backbone'],
                         weights_only=True)['state_dict']
    online = {k[len('backbone.'):]: v for k, v in state.items()
              if k.startswith('backbone.')}
    assert written.keys() == online.keys()
    assert all(torch.equal(written[k], v) for k, v in online.items())
    assert backbone_family(written) == pretrained['family']
    # It loads strictly into the pre-training config's backbone.
    cfg = tiny_config(pretrained['family'])
    MODELS.build(cfg.model.backbone).load_state_dict(written, strict=True)


@pytest.mark.parametrize('stage', [2, 4])
def test_dense_probe_at_any_stage(pretrained, stage):
    cfg = tiny_config(pretrained['family'])
    train, val = blocky_split(4, 0), blocky_split(2, 1)
    result = run_probe(cfg, pretrained['backbone'], train, val, stage=stage,
                       stride=8, epochs=2, knn_bank=100, batch_size=2)
    assert result['kind'] == 'backbone' and result['stage'] == stage
    assert result['grid'] == [8, 8]
    for name in ('linear', 'knn'):
        assert 0 <= result[name]['mIoU'] <= 100
    # The probed features are those of stage `stage`: its width, and for
    # the pre-trained output the file's own norm.
    backbone, _ = build_backbone(cfg, pretrained['backbone'], stage)
    feats = backbone(torch.zeros(1, 3, 64, 64))[-1]
    assert feats.shape[1] == WIDTHS[stage - 1]
    written = torch.load(pretrained['backbone'],
                         weights_only=True)['state_dict']
    if stage == 4:
        assert torch.equal(backbone.norm3.weight, written['norm3.weight'])
    else:  # a stage the file has no output norm for: a fresh one
        assert f'norm{stage - 1}.weight' not in written
        assert torch.equal(getattr(backbone, f'norm{stage - 1}').weight,
                           torch.ones(WIDTHS[stage - 1]))


def test_dense_probe_stage_out_of_range_names_the_range(pretrained):
    cfg = tiny_config(pretrained['family'])
    with pytest.raises(ValueError, match=r'stage must be 1\.\.4 .*got 5'):
        build_backbone(cfg, 'random', 5)


def test_propagation_picture(pretrained, tmp_path):
    from mmpixpro.visualization.propagation import draw_propagation_figure
    cfg = tiny_config(pretrained['family'])
    image = tmp_path / 'image.png'
    Image.fromarray(
        np.random.default_rng(0).integers(0, 256, (96, 96, 3),
                                          dtype=np.uint8)).save(image)
    out = draw_propagation_figure(
        cfg, str(pretrained['root'] / 'straight' / 'epoch_2.pth'),
        str(image), str(tmp_path / 'prop.png'), size=224, logger='silent')
    picture = np.asarray(Image.open(out))
    # five panels of 224 px: the 7x7 grid's centre and quarter points
    assert picture.shape == (224 + 36, 8 + 5 * (224 + 8), 3)


def tiny_vit():
    """The ViT config with a 2-layer, 16-channel ViT, and its PixPro
    initialised under seed 0."""
    cfg = Config.fromfile(VIT_CONFIG)
    cfg.model.backbone.update(arch=dict(embed_dims=16, num_layers=2,
                                        num_heads=2, feedforward_channels=32))
    shrink(cfg, 16)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return cfg, model


def test_vit_featmap_config_runs_a_step(max_iters):
    """VisionTransformer(out_type='featmap') on the PPM: 224 px views, 32 px
    patches, so the 7x7 grid of the paper; a loss and a backward pass."""
    cfg, model = tiny_vit()
    assert cfg.model.backbone.out_type == 'featmap'
    views = [torch.randint(0, 256, (2, 3, 224, 224), dtype=torch.uint8)
             for _ in range(2)]
    feats = model.backbone(views[0].float())
    assert feats[-1].shape == (2, 16, 7, 7)
    from mmpretrain.structures import DataSample
    samples = []
    for _ in range(2):
        s = DataSample()
        s.set_field(torch.tensor([[0., 0., 1., 1.], [0., 0., 1., 1.]]),
                    'coord')
        samples.append(s)
    losses = model.loss([v.float() for v in views], samples)
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(loss)
    loss.backward()
    assert model.backbone.layers[0].attn.qkv.weight.grad.abs().sum() > 0


def test_full_size_configs_give_a_7x7_grid():
    """ConvNeXt-T and Swin-T as configured: 768 channels on a 7x7 grid at
    224 px, which the projectors take."""
    for family, path in CONFIGS.items():
        cfg = Config.fromfile(path)
        backbone = MODELS.build(copy.deepcopy(cfg.model.backbone))
        backbone.eval()
        with torch.no_grad():
            out = backbone(torch.zeros(1, 3, 224, 224))[-1]
        assert out.shape == (1, 768, 7, 7), family
        assert cfg.model.neck.in_channels == 768
        assert cfg.model.instance_neck.in_channels == 768


def test_resnet_stage_out_of_range_names_the_range():
    from tests.utils import SMALL_CONFIG
    for stage in (0, 5):
        with pytest.raises(ValueError, match=r'stage must be'):
            build_backbone(SMALL_CONFIG, 'random', stage)
    with pytest.raises(ValueError, match=r'stage must be 1\.\.4 .*ResNet'):
        build_backbone(SMALL_CONFIG, 'random', 5)


def test_vit_backbone_extracts_and_probes_any_layer(tmp_path):
    """The ViT config's backbone goes through extraction and the dense
    probe like the others; its outputs are its layers."""
    cfg, model = tiny_vit()
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'epoch_1.pth')
    path = str(tmp_path / 'backbone.pth')
    extract_backbone(str(tmp_path / 'epoch_1.pth'), path, logger='silent')
    written = torch.load(path, weights_only=True)['state_dict']
    assert backbone_family(written) == 'VisionTransformer'
    assert all(torch.equal(written[k], v)
               for k, v in model.backbone.state_dict().items())
    train, val = blocky_split(4, 0), blocky_split(2, 1)
    for stage in (1, 2):
        result = run_probe(cfg, path, train, val, stage=stage, stride=8,
                           epochs=1, knn_bank=50, batch_size=2)
        assert result['kind'] == 'backbone' and result['grid'] == [8, 8]
    with pytest.raises(ValueError, match=r'stage must be 1\.\.2 .*got 3'):
        build_backbone(cfg, path, 3)
