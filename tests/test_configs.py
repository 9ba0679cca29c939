"""Every config parses and builds its model and pipeline; the released
recipe's numbers (docs/recipe.md, "Model" to "Optimisation") are the
configs' values, and so are those of the configs built on shared bases."""
import glob
import os.path as osp

import mmpretrain
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope

from mmpixpro.registry import DATASETS, MODELS
from tests.utils import REPO, SMALL_CONFIG


def find_configs(*folder):
    return sorted(
        p for p in glob.glob(osp.join(REPO, 'configs', *folder, '**', '*.py'),
                             recursive=True) if '_base_' not in p)


CONFIGS = (find_configs('pixpro') + find_configs('pixcontrast') +
           find_configs('byol') + find_configs('densecl'))
BENCHMARKS = find_configs('benchmarks')


def test_configs_found():
    names = {osp.relpath(p, osp.join(REPO, 'configs')) for p in CONFIGS}
    assert {'pixpro/pixpro_r50_8xb128.py', 'pixpro/pixpro_r50_8xb128-400e.py',
            'pixpro/pixpro-ins_r50_8xb128.py',
            'pixpro/pixpro_resnet18-w16_1xb32-900it_scenes.py',
            'byol/byol_resnet18-w16_1xb32-900it_scenes.py',
            'densecl/densecl_resnet18-w16_1xb32-900it_scenes.py',
            'pixpro/pixpro_resnet18-w16_1xb32-bf16-1800it_scenes.py',
            'byol/byol_resnet18-w16_1xb32-bf16-1800it_scenes.py',
            'densecl/densecl_resnet18-w16_1xb32-bf16-1800it_scenes.py',
            'pixcontrast/pixcontrast_r50_8xb128.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.basename(p))
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpixpro'
    model = MODELS.build(cfg.model)
    expected = dict(pixpro='PixPro', pixcontrast='PixContrast', byol='BYOL',
                    densecl='DenseCL')
    folder = osp.basename(osp.dirname(path))
    assert type(model).__name__ == expected[folder]
    Compose(cfg.train_dataloader.dataset.pipeline)
    assert DATASETS.get(cfg.train_dataloader.dataset.type) is not None


def test_benchmark_configs_found():
    names = {osp.relpath(p, osp.join(REPO, 'configs', 'benchmarks'))
             for p in BENCHMARKS}
    assert names == {
        'mmdetection/voc0712/faster-rcnn_r50-c4_ms-24k_voc0712.py',
        'mmdetection/coco/mask-rcnn_r50-fpn_ms-1x_coco.py',
        'mmdetection/coco/mask-rcnn_r50-c4_ms-1x_coco.py',
        'mmdetection/coco/mask-rcnn_r50-fpn_1pct_coco.py',
        'mmdetection/coco/mask-rcnn_r50-fpn_10pct_coco.py',
        'mmdetection/coco/mask-rcnn_r50-fpn-pixpro-neck_ms-1x_coco.py',
        'mmdetection/coco/fcos_r50-fpn_1x_coco.py',
        'mmsegmentation/cityscapes/fcn_r50-d8_4xb2-40k_cityscapes-769x769.py',
        # the main job's miniatures of the two above
        'mmdetection/voc0712/faster-rcnn_r18-w16-c4_scenes-voc.py',
        'mmsegmentation/cityscapes/fcn_r18-w16-d8_scenes-cityscapes.py',
        # ConvNeXt-T and Swin-T, on mmdet's and mmseg's configs for them
        'mmdetection/coco/'
        'mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-1x_coco.py',
        'mmdetection/coco/mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py',
        'mmsegmentation/cityscapes/'
        'convnext-tiny_upernet_8xb2-amp-80k_cityscapes-512x1024.py',
        'mmsegmentation/cityscapes/'
        'swin-tiny-patch4-window7_upernet_8xb2-80k_cityscapes-512x1024.py',
    }


@pytest.mark.parametrize('path', BENCHMARKS, ids=lambda p: osp.basename(p))
def test_benchmark_config_builds(path):
    import importlib
    cfg = Config.fromfile(path)
    for module in cfg.custom_imports.imports:
        importlib.import_module(module)
    assert cfg.default_scope in ('mmdet', 'mmseg')
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = ROOT_MODELS.build(cfg.model)
    # Every config names its pre-trained weights and checks their arrival.
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    # (the main job's miniatures add a progress bar after it)
    assert cfg.custom_hooks[0] == dict(type='PretrainedWeightsCheckHook')
    bar = dict(type='mmpretrain.mmpixpro.ProgressBarHook')
    assert cfg.custom_hooks[1:] in ([], [bar])
    if hasattr(model.backbone, 'style'):  # the ResNets
        assert model.backbone.style == 'pytorch'
        assert not model.backbone.norm_eval
        assert getattr(model.backbone, 'frozen_stages', -1) == -1
    # nothing frozen
    assert all(p.requires_grad for p in model.backbone.parameters())
    mean = model.data_preprocessor.mean.flatten().tolist()
    assert mean == pytest.approx([123.675, 116.28, 103.53])


def released(path='pixpro/pixpro_r50_8xb128.py'):
    return Config.fromfile(osp.join(REPO, 'configs', path))


def test_released_recipe_values():
    cfg = released()
    m = cfg.model
    assert m.backbone.depth == 50 and m.backbone.out_indices == (3, )
    assert m.backbone.zero_init_residual
    assert m.backbone.norm_cfg.type == 'SyncBN'
    assert (m.neck.in_channels, m.neck.hid_channels,
            m.neck.out_channels) == (2048, 4096, 256)
    assert m.base_momentum == 0.99
    assert m.head.pos_threshold == 0.7
    ppm = m.head.predictor
    assert (ppm.gamma, ppm.clamp_min, ppm.num_transform_layers) == (2., 0., 1)
    assert m.instance_loss_weight == 0
    assert cfg.train_dataloader.batch_size == 128
    assert cfg.train_dataloader.dataset.data_root == 'data/imagenet'
    opt = cfg.optim_wrapper
    assert opt.type == 'AmpOptimWrapper'
    assert opt.optimizer.type == 'PixProLARS'
    assert (opt.optimizer.lr, opt.optimizer.momentum, opt.optimizer.eta,
            opt.optimizer.eps, opt.optimizer.weight_decay) == (4.0, 0.9, 1e-3,
                                                               1e-8, 1e-5)
    warmup, cosine = cfg.param_scheduler
    assert (warmup.start_factor, warmup.end) == (0.01, 5)
    assert (cosine.begin, cosine.end, cosine.eta_min) == (5, 100, 1e-6)
    assert cosine.T_max == cosine.end - cosine.begin
    assert cfg.train_cfg.max_epochs == 100
    assert cfg.auto_scale_lr.base_batch_size == 1024
    crop = cfg.view_pipeline1[0]
    assert (crop.size, crop.scale, crop.interpolation) == (224, (0.08, 1.),
                                                           'bilinear')


#: The main job's pre-training configs: the default since 2026-12-07, and
#: the 900-step fp32 trio before it.
MAIN_JOB_SETTINGS = ('bf16-1800it', '900it')


def main_job_config(folder, setting='bf16-1800it'):
    return Config.fromfile(
        osp.join(REPO, 'configs', folder,
                 f'{folder}_resnet18-w16_1xb32-{setting}_scenes.py'))


@pytest.mark.parametrize('setting', MAIN_JOB_SETTINGS)
def test_main_job_methods_differ_only_in_method(setting):
    """The main job's PixPro, BYOL and DenseCL runs share backbone, data,
    views, batch, steps, optimiser, schedule and runtime: every top-level
    key but the model is equal, and so is the model's backbone."""
    pixpro = main_job_config('pixpro', setting)
    peers = dict(byol=main_job_config('byol', setting),
                 densecl=main_job_config('densecl', setting))
    # The model and the variables of the model bases aside.
    own = {'model'}
    for base in ('pixpro_resnet18-w16.py', 'byol_resnet18-w16.py',
                 'densecl_resnet18-w16.py'):
        own |= set(
            Config.fromfile(osp.join(REPO, 'configs', '_base_', 'models',
                                     base)))
    assert 'queue_len' in own
    for name, peer in peers.items():
        assert pixpro.model.backbone == peer.model.backbone, name
        keys = (set(pixpro) | set(peer)) - own
        for key in keys:
            assert pixpro.get(key) == peer.get(key), (name, key)
    assert pixpro.model.base_momentum == 1 - peers['byol'].model.base_momentum


@pytest.mark.parametrize('folder', ['pixpro', 'byol', 'densecl'])
def test_main_job_1800it_is_the_900it_run_longer_in_bf16(folder):
    """Each method's bf16 1800-step config is its 900-step one with only
    these changed: the schedule stretched as the main job's
    --pretrain-iters 1800 stretches it, bf16 autocast without loss scaling,
    channels_last weights (one hook more) and the infinite sampler."""
    import sys
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from main_job import pretrain_schedule_options
    old = main_job_config(folder, '900it')
    new = main_job_config(folder, 'bf16-1800it')
    # The 900-step run as --pretrain-iters 1800 would run it.
    old.merge_from_dict(pretrain_schedule_options([old], 1800, {}))
    assert old.param_scheduler == new.param_scheduler
    assert new.train_cfg == dict(type='IterBasedTrainLoop', max_iters=1800)
    assert new.param_scheduler[0].end == new.param_scheduler[1].begin == 90
    assert new.optim_wrapper == dict(
        old.optim_wrapper, type='AutocastOptimWrapper', dtype='bfloat16',
        loss_scale=None)
    assert new.custom_hooks == old.custom_hooks + [
        dict(type='ChannelsLastHook')]
    assert new.train_dataloader == dict(
        old.train_dataloader, sampler=dict(type='InfiniteSampler',
                                           shuffle=True))
    assert new.model == old.model
    changed = {'train_cfg', 'param_scheduler', 'optim_wrapper',
               'custom_hooks', 'train_dataloader', 'max_iters',
               'warmup_iters'}
    for key in (set(old) | set(new)) - changed:
        assert old.get(key) == new.get(key), key


def test_densecl_as_mmpretrain_ships_it():
    """DenseCL's loss settings are mmpretrain's
    (densecl_resnet50_8xb32-coslr-200e_in1k.py); only the queue is scaled,
    to the same fraction of the data as 65536 of ImageNet's 1,281,167
    images, a multiple of the batch."""
    import math

    from mmpretrain.models import DenseCL
    cfg = main_job_config('densecl')
    m = cfg.model
    shipped = Config.fromfile(
        osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'configs',
                 'densecl', 'densecl_resnet50_8xb32-coslr-200e_in1k.py'))
    for key in ('momentum', 'loss_lambda'):
        assert m[key] == shipped.model[key], key
    assert m.head.temperature == shipped.model.head.temperature == 0.2
    assert m.head.type == 'ContrastiveHead'
    assert m.neck.type == 'DenseCLNeck' and m.neck.num_grid is None
    assert m.neck.in_channels == 128 and m.neck.out_channels == m.feat_dim
    scenes = 2000
    batch = cfg.train_dataloader.batch_size
    fraction = scenes * 65536 / 1281167
    assert m.queue_len == math.floor(fraction / batch) * batch == 96
    model = MODELS.build(m)
    assert isinstance(model, DenseCL)
    assert model.queue.shape == (64, 96)


def test_variants():
    long = released('pixpro/pixpro_r50_8xb128-400e.py')
    assert long.train_cfg.max_epochs == 400
    assert long.param_scheduler[1].end == 400
    assert long.param_scheduler[1].T_max == 395
    ins = released('pixpro/pixpro-ins_r50_8xb128.py')
    assert ins.model.instance_loss_weight == 1.


def test_narrow_resnet18_configs():
    """The small config and the main job's pair: the narrow ResNet-18 of
    configs/_base_/models/resnet18-w16.py, PixPro's widths scaled to it."""
    small = Config.fromfile(SMALL_CONFIG).model
    scenes = released('pixpro/pixpro_resnet18-w16_1xb32-900it_scenes.py')
    byol = released('byol/byol_resnet18-w16_1xb32-900it_scenes.py')
    for backbone in (small.backbone, scenes.model.backbone,
                     byol.model.backbone):
        assert (backbone.type, backbone.depth, backbone.stem_channels,
                backbone.base_channels, backbone.out_indices,
                backbone.norm_cfg.type) == ('ResNet', 18, 16, 16, (3, ), 'BN')
        assert backbone.zero_init_residual
    assert 'strides' not in small.backbone  # 224 px views: stride 32
    for backbone in (scenes.model.backbone, byol.model.backbone):
        assert backbone.strides == (1, 2, 2, 1)
        assert backbone.dilations == (1, 1, 1, 2)
    for model in (small, scenes.model):
        for neck in (model.neck, model.instance_neck):
            assert (neck.type, neck.in_channels, neck.hid_channels,
                    neck.out_channels, neck.norm_cfg.type) == (
                        'PixelProjector', 128, 256, 64, 'BN')
        ppm = model.head.predictor
        assert (ppm.channels, ppm.norm_cfg.type) == (64, 'BN')
        mlp = model.instance_head.predictor
        assert (mlp.in_channels, mlp.hid_channels, mlp.out_channels,
                mlp.norm_cfg.type) == (64, 256, 64, 'BN')
        assert model.instance_loss_weight == 0
        assert (model.head.pos_threshold, model.base_momentum) == (0.7, 0.99)
    assert scenes.model.data_preprocessor.type == 'SelfSupDataPreprocessor'
    assert small.data_preprocessor.type == 'PhotometricDataPreprocessor'
    opt = scenes.optim_wrapper
    assert opt.type == 'OptimWrapper' and 'loss_scale' not in opt
    assert (opt.optimizer.type, opt.optimizer.lr, opt.optimizer.momentum,
            opt.optimizer.weight_decay) == ('PixProLARS', 0.71, 0.9, 1e-5)
    assert scenes.train_cfg.max_iters == 900
    assert [s.end for s in scenes.param_scheduler] == [45, 900]


def test_fpn_configs():
    fpn = released('pixpro/pixpro_r50-fpn_8xb128.py').model
    fcos = released('pixpro/pixpro_r50-fpn-fcoshead_8xb128.py').model
    for model in (fpn, fcos):
        assert model.backbone.out_indices == (0, 1, 2, 3)
        assert model.fpn.in_channels == [256, 512, 1024, 2048]
        assert (model.fpn.out_channels, model.fpn.num_outs,
                model.fpn.norm_cfg.type) == (256, 5, 'SyncBN')
        assert model.neck.in_channels == 256
        # One chunk_size for the loss and the PPM.
        assert model.head.chunk_size == 1024
        head = MODELS.build(model.head)
        assert head.chunk_size == head.predictor.chunk_size == 1024
    assert 'start_level' not in fpn.fpn and 'towers' not in fpn
    assert (fpn.levels, fpn.level_weights) == ((0, 1, 2, 3), (1., ) * 4)
    assert (fcos.fpn.start_level, fcos.fpn.add_extra_convs,
            fcos.fpn.relu_before_extra_convs) == (1, 'on_output', True)
    assert (fcos.towers.in_channels, fcos.towers.feat_channels,
            fcos.towers.stacked_convs, fcos.towers.norm_cfg.num_groups) == (
                256, 256, 4, 32)
    assert (fcos.levels, fcos.level_weights) == ((0, 1, 2, 3, 4), (1., ) * 5)


DATA_BASES = osp.join(REPO, 'configs', '_base_', 'datasets')


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.basename(p))
def test_preprocessor_comes_with_the_data(path):
    """Every pre-training config trains with the data preprocessor its
    dataset base declares beside the pipeline: the top-level
    ``data_preprocessor`` (what mmengine's Runner would fill in) is the
    model's (what tools that build ``cfg.model`` directly get)."""
    cfg = Config.fromfile(path)
    assert cfg.data_preprocessor == cfg.model.data_preprocessor
    # and no model base brings one of its own
    for base in glob.glob(osp.join(REPO, 'configs', '_base_', 'models',
                                   '*.py')):
        assert 'data_preprocessor' not in Config.fromfile(base).get(
            'model', {}), base


def test_each_data_path_declares_its_pair():
    """Each data path's base holds both halves: a pipeline that draws the
    photometric parameters (the fast path) with the preprocessor that
    applies them, a pipeline that applies them in the workers (the PIL
    path) with the one that only normalises. The pipeline is the one the
    dataloader gets."""
    paths = {}
    for name in ('imagenet_pixpro.py', 'imagenet_pixpro_pil.py',
                 'scenes_pixpro.py'):
        cfg = Config.fromfile(osp.join(DATA_BASES, name))
        pipeline = cfg.train_dataloader.dataset.pipeline
        assert pipeline == cfg.train_pipeline, name
        steps = [t for view in pipeline[1].transforms for t in view]
        draws = [t.type for t in steps].count('DrawPhotometricParams')
        pil_ops = [t.transforms[0].type if t.type == 'RandomApply' else t.type
                   for t in steps]
        if draws:
            assert draws == 2, name  # one per view
            assert 'photometric' in pipeline[-1].algorithm_keys, name
            assert not any('torchvision/' in t or 'PIL' in t
                           for t in pil_ops), name
        else:
            assert {'torchvision/ColorJitter', 'torchvision/RandomGrayscale',
                    'PILGaussianBlur',
                    'torchvision/RandomSolarize'} <= set(pil_ops), name
        paths[name] = (draws > 0, cfg.data_preprocessor.type)
        MODELS.build(cfg.data_preprocessor)
    assert paths == {
        'imagenet_pixpro.py': (True, 'PhotometricDataPreprocessor'),
        'imagenet_pixpro_pil.py': (False, 'SelfSupDataPreprocessor'),
        'scenes_pixpro.py': (False, 'SelfSupDataPreprocessor'),
    }
    # Every file there that declares a pipeline is one of those three.
    declaring = {
        osp.basename(p)
        for p in glob.glob(osp.join(DATA_BASES, '*.py'))
        if 'train_pipeline' in Config.fromfile(p)
    }
    assert declaring == set(paths)
    # The two ImageNet paths share the views' crop, flip and jitter values.
    fast, pil = (Config.fromfile(osp.join(DATA_BASES, n)).view_pipeline2
                 for n in ('imagenet_pixpro.py', 'imagenet_pixpro_pil.py'))
    assert dict(fast[0], backend='pillow') == dict(pil[0], backend='pillow')
    assert fast[1] == pil[1]
    jitter = pil[2].transforms[0]
    assert fast[2].jitter == {k: jitter[k] for k in fast[2].jitter}


def test_densecl_key_encoder_keeps_999_per_mille_per_step():
    """mmpretrain 1.x hands ``momentum`` to mmengine's EMA, where it is the
    weight of the new value (its docstring still says 0.999, MoCo's
    convention): after a step the key encoder must be 0.999 x itself plus
    0.001 x the query encoder, as MoCo's momentum 0.999 means."""
    model = MODELS.build(main_job_config('densecl').model)
    key = model.encoder_k.module[0].conv1.weight
    query = model.backbone.conv1.weight
    with torch.no_grad():
        query.fill_(0.)
        model.encoder_k.update_parameters(  # the first update copies
            torch.nn.Sequential(model.backbone, model.neck))
        query.fill_(1.)
        model.encoder_k.update_parameters(
            torch.nn.Sequential(model.backbone, model.neck))
    assert torch.allclose(key, torch.full_like(key, 0.001))
