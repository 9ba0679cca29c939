"""The main job's miniature fine-tune configs: they differ from the
user's configs (faster-rcnn_r50-c4_ms-24k_voc0712.py,
fcn_r50-d8_4xb2-40k_cityscapes-769x769.py) only in width, image size,
schedule and dataset; the backbone is the scenes pre-training configs'
narrow ResNet-18, so an extracted backbone fills every pre-trained tensor;
and a fine-tune launched as a user launches one
(tools/benchmarks/train_downstream.py) stops before its first iteration
when a backbone tensor is left random."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmpixpro.evaluation import (build_backbone, build_downstream_model,
                                 check_pretrained_weights)
from tests.utils import REPO, load_tool_main

BENCH = osp.join(REPO, 'configs', 'benchmarks')
DET_USER = osp.join(BENCH, 'mmdetection', 'voc0712',
                    'faster-rcnn_r50-c4_ms-24k_voc0712.py')
DET_MINI = osp.join(BENCH, 'mmdetection', 'voc0712',
                    'faster-rcnn_r18-w16-c4_scenes-voc.py')
SEG_USER = osp.join(BENCH, 'mmsegmentation', 'cityscapes',
                    'fcn_r50-d8_4xb2-40k_cityscapes-769x769.py')
SEG_MINI = osp.join(BENCH, 'mmsegmentation', 'cityscapes',
                    'fcn_r18-w16-d8_scenes-cityscapes.py')
SCENES_PIXPRO = osp.join(REPO, 'configs', 'pixpro',
                         'pixpro_resnet18-w16_1xb32-900it_scenes.py')

# What each miniature may change, by category (prefixes of dotted keys).
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
COMMON = dict(
    schedule=('train_cfg.', 'param_scheduler', 'max_iters',
              'default_hooks.', 'train_dataloader.batch_size'),
    dataset=tuple(f'{loader}.dataset.' for loader in LOADERS) +
    ('data_root', 'scene_classes', 'scenes_dataset', 'metainfo',
     'num_classes'),
    # one process: BN for SyncBN, one loader worker
    cpu=('bn', ) + tuple(f'{loader}.num_workers' for loader in LOADERS),
    display=('custom_hooks', ),
)
ALLOWED = {
    DET_MINI: dict(
        COMMON,
        width=('model.backbone.depth', 'model.backbone.stem_channels',
               'model.backbone.base_channels', 'model.backbone.norm_cfg.',
               'model.rpn_head.in_channels', 'model.rpn_head.feat_channels',
               'model.roi_head.shared_head.',
               'model.roi_head.bbox_roi_extractor.out_channels',
               'model.roi_head.bbox_head.in_channels', 'custom_imports'),
        image_size=('train_pipeline', 'test_pipeline', 'train_scales',
                    'image_size', 'model.train_cfg.rpn_proposal.nms_pre',
                    'model.train_cfg.rpn_proposal.max_per_img',
                    'model.train_cfg.rcnn.sampler.num',
                    'model.test_cfg.rpn.nms_pre',
                    'model.test_cfg.rpn.max_per_img'),
        extra=('model.roi_head.bbox_head.num_classes',  # dataset
               'optim_wrapper.optimizer.lr',  # schedule (batch 8)
               'auto_scale_lr.base_batch_size')),
    SEG_MINI: dict(
        COMMON,
        width=('model.backbone.depth', 'model.backbone.stem_channels',
               'model.backbone.base_channels', 'model.backbone.norm_cfg.',
               'model.decode_head.in_channels', 'model.decode_head.channels',
               'model.decode_head.norm_cfg.',
               'model.auxiliary_head.in_channels',
               'model.auxiliary_head.channels',
               'model.auxiliary_head.norm_cfg.'),
        image_size=('train_pipeline', 'test_pipeline', 'crop_size', 'scale',
                    'model.data_preprocessor.size', 'model.test_cfg.'),
        extra=('model.decode_head.num_classes',  # dataset
               'model.auxiliary_head.num_classes',
               'optim_wrapper.optimizer.lr')),  # schedule (1000 it.)
}


def flatten(node, prefix=''):
    """Dotted keys -> leaf values (lists are leaves)."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            out.update(flatten(v, f'{prefix}{k}.'))
        return out
    return {prefix[:-1]: node}


def differing_keys(a, b):
    fa, fb = flatten(a.to_dict()), flatten(b.to_dict())
    return sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))


@pytest.mark.parametrize('user,mini', [(DET_USER, DET_MINI),
                                       (SEG_USER, SEG_MINI)],
                         ids=['detection', 'segmentation'])
def test_miniature_differs_only_in_width_size_schedule_data(user, mini):
    user_cfg, mini_cfg = Config.fromfile(user), Config.fromfile(mini)
    allowed = [p for prefixes in ALLOWED[mini].values() for p in prefixes]
    changed = differing_keys(user_cfg, mini_cfg)
    outside = [k for k in changed
               if not any(k == p or k.startswith(p) for p in allowed)]
    assert outside == [], outside
    # What the protocol holds fixed is the user's: model type, losses,
    # evaluator, optimiser, schedule shape, no frozen stage.
    for key in ('model.type', 'val_evaluator', 'optim_wrapper.type',
                'optim_wrapper.optimizer.type',
                'optim_wrapper.optimizer.momentum',
                'optim_wrapper.optimizer.weight_decay',
                'model.backbone.style', 'model.backbone.norm_eval',
                'model.backbone.init_cfg.type'):
        node_u, node_m = user_cfg, mini_cfg
        for part in key.split('.'):
            node_u, node_m = node_u[part], node_m[part]
        assert node_u == node_m, key
    assert [s.type for s in user_cfg.param_scheduler] == [
        s.type for s in mini_cfg.param_scheduler]
    # The scenes pre-training configs' backbone, BN instead of SyncBN.
    scenes = Config.fromfile(SCENES_PIXPRO).model.backbone
    b = mini_cfg.model.backbone
    assert (b.depth, b.stem_channels, b.base_channels) == (
        scenes.depth, scenes.stem_channels, scenes.base_channels)
    assert 'SyncBN' not in str(mini_cfg.model)


@pytest.fixture(scope='module')
def random_backbone_file(tmp_path_factory):
    """The scenes configs' backbone at its random init, as a backbone file
    (what the main job fine-tunes as 'random init')."""
    backbone, _ = build_backbone(SCENES_PIXPRO, 'random', seed=0)
    path = tmp_path_factory.mktemp('backbone') / 'random.pth'
    state = backbone.state_dict()
    torch.save(dict(state_dict=state), path)
    return str(path), state


@pytest.mark.parametrize('mini', [DET_MINI, SEG_MINI],
                         ids=['detection', 'segmentation'])
def test_backbone_file_fills_every_tensor(random_backbone_file, mini):
    """Every tensor of the file lands in the model, value for value: stages
    1-4 in the FCN's backbone; stages 1-3 in the C4 detector's backbone and
    res5 (layer4) in its box head, whose extra norm alone keeps its init."""
    path, state = random_backbone_file
    model = build_downstream_model(mini, path)
    reports = check_pretrained_weights(model)
    res5 = sorted(k for k in state if k.startswith('layer4.'))
    if mini == DET_MINI:
        parts = dict(backbone=sorted(set(state) - set(res5)),
                     **{'roi_head.shared_head': res5})
        head = reports['roi_head.shared_head']
        assert {k.split('.')[0] for k in head['missing']} == {'norm'}
        modules = dict(backbone=model.backbone,
                       **{'roi_head.shared_head': model.roi_head.shared_head})
    else:
        parts = dict(backbone=sorted(state))
        modules = dict(backbone=model.backbone)
    for name, keys in parts.items():
        assert sorted(reports[name]['filled']) == keys, name
        tensors = modules[name].state_dict()
        for key in keys:
            assert torch.equal(tensors[key], state[key]), key


@pytest.fixture(scope='module')
def tiny_scenes(tmp_path_factory):
    from mmpixpro.datasets.generated_scenes import write_scene_datasets
    root = tmp_path_factory.mktemp('scenes')
    write_scene_datasets(str(root), num_unlabeled=1, num_train=4, num_val=2,
                         size=(64, 64))
    return str(root)


@pytest.mark.parametrize('mini,root,prefix', [
    (DET_MINI, 'VOCdevkit', 'layer4.'),
    (SEG_MINI, 'cityscapes', 'layer1.0.conv1.'),
], ids=['detection', 'segmentation'])
def test_fine_tune_stops_when_a_backbone_tensor_stays_random(
        random_backbone_file, tiny_scenes, tmp_path, mini, root, prefix):
    """train_downstream.py, as the main job launches it: a backbone file
    without res5 (detection: the box head's res5 stays random) or without
    one conv (segmentation) stops before the first iteration."""
    path, state = random_backbone_file
    partial = {k: v for k, v in state.items() if not k.startswith(prefix)}
    bad = str(tmp_path / 'partial.pth')
    torch.save(dict(state_dict=partial), bad)
    data = osp.join(tiny_scenes, root) + '/'
    main = load_tool_main('benchmarks', 'train_downstream.py')
    argv = [mini, '--pretrained', bad, '--work-dir', str(tmp_path / 'w'),
            '--cfg-options'] + [
                f'{loader}.dataset.data_root={data}'
                for loader in ('train_dataloader', 'val_dataloader',
                               'test_dataloader')
            ] + ['train_cfg.max_iters=1', 'train_dataloader.batch_size=2',
                 'train_dataloader.num_workers=0',
                 'train_dataloader.persistent_workers=False']
    with pytest.raises(RuntimeError, match='did not arrive') as e:
        main(argv)
    assert ('roi_head.shared_head' if mini == DET_MINI else 'backbone') in str(
        e.value)
    # Stopped before the first iteration: no checkpoint.
    assert not list((tmp_path / 'w').glob('iter_*.pth'))


def test_segmentation_fine_tunes_on_the_first_30_labelled_scenes(tmp_path):
    """The segmentation miniature is label-scarce: of 33 labelled train
    scenes it trains on the 30 whose names sort first (the writer numbers
    them in order), and tests on every held-out scene."""
    import glob

    from mmseg.registry import DATASETS

    from mmpixpro.datasets.generated_scenes import write_scene_datasets
    root = tmp_path
    write_scene_datasets(str(root), num_unlabeled=1, num_train=33,
                         num_val=3, size=(32, 32))
    data = str(root / 'cityscapes') + '/'
    cfg = Config.fromfile(SEG_MINI)
    images = {}
    for split, loader in (('train', cfg.train_dataloader),
                          ('val', cfg.val_dataloader)):
        dataset_cfg = dict(loader.dataset, data_root=data, pipeline=[])
        with DefaultScope.overwrite_default_scope('mmseg'):
            dataset = DATASETS.build(dataset_cfg)
        images[split] = [
            osp.basename(dataset.get_data_info(i)['img_path'])
            for i in range(len(dataset))
        ]
    on_disk = {
        split: sorted(
            osp.basename(p) for p in glob.glob(
                osp.join(data, 'leftImg8bit', split, '**', '*.png'),
                recursive=True))
        for split in ('train', 'val')
    }
    assert len(on_disk['train']) == 33
    assert images['train'] == on_disk['train'][:30]
    assert sorted(images['val']) == on_disk['val']
