"""The fast pipeline only draws each view's photometric parameters; only
PhotometricDataPreprocessor applies them. With any other preprocessor
(mmpretrain's SelfSupDataPreprocessor, as in its BYOL config) the views
would reach the model unaugmented: the runner refuses such a config when it
builds the model, and PixPro and PixContrast refuse such a batch in their
loss (for runs outside the runner), each naming the pipeline's transform,
the preprocessor and the fix."""

import os.path as osp
import runpy

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmpixpro.engine.runner.launch import build_runner
from mmpixpro.models.data_preprocessors import check_photometric_applied
from mmpixpro.registry import MODELS
from tests.utils import REPO, SMALL_CONFIG, load_tool_main
from tests.test_models.test_pixcontrast import CONFIG as PIXCONTRAST_CONFIG
from tests.test_models.test_pixcontrast import on_small_encoder


def assert_names_both_halves(message, preprocessor):
    assert 'DrawPhotometricParams' in message, message
    assert f'({preprocessor})' in message, message
    assert 'model.data_preprocessor.type=PhotometricDataPreprocessor' \
        in message, message


TRAIN_ARGS = [
    '--cfg-options', 'model.data_preprocessor.type=SelfSupDataPreprocessor',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.batch_size=2', 'train_cfg.max_epochs=1'
]


def test_train_py_refuses_at_start_up(tmp_path, small_images):
    """The command of the report, through tools/train.py's own main: it
    used to train (and save) without colour jitter, grayscale, blur or
    solarize. The runner refuses when it builds the model, before any
    iteration."""
    train = load_tool_main('train.py')
    work = tmp_path / 'work'
    with pytest.raises(TypeError) as info:
        train([SMALL_CONFIG, '--work-dir', str(work)] + TRAIN_ARGS +
              [f'train_dataloader.dataset.data_root={small_images}'])
    assert_names_both_halves(str(info.value), 'SelfSupDataPreprocessor')
    assert not list(work.rglob('*.pth'))
    tool = runpy.run_path(osp.join(REPO, 'tools', 'train.py'))
    cfg = tool['merge_args'](
        Config.fromfile(SMALL_CONFIG),
        tool['parse_args']([SMALL_CONFIG, '--work-dir', str(work)] +
                           TRAIN_ARGS))
    with pytest.raises(TypeError, match=r'\(SelfSupDataPreprocessor\)'):
        build_runner(cfg)


def test_any_algorithm_is_refused_at_start_up(tmp_path, small_images):
    """The runner's check is the config's, not the algorithm's: mmpretrain's
    BYOL with the fast pipeline and its own preprocessor is refused too."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'byol',
                                   'byol_resnet18-w16_1xb32-900it_scenes.py'))
    cfg.work_dir = str(tmp_path)
    cfg.train_dataloader.dataset = Config.fromfile(
        SMALL_CONFIG).train_dataloader.dataset
    cfg.train_dataloader.dataset.data_root = small_images
    assert cfg.model.data_preprocessor.type != 'PhotometricDataPreprocessor'
    with pytest.raises(TypeError) as info:
        build_runner(cfg)
    assert_names_both_halves(str(info.value),
                             cfg.model.data_preprocessor.type.split('.')[-1])


def one_batch(small_images):
    """A training batch of the small config's fast pipeline, as the
    dataloader gives it."""
    cfg = Config.fromfile(SMALL_CONFIG).train_dataloader
    cfg.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.dataset.data_root = small_images
    return next(iter(Runner.build_dataloader(cfg, seed=0)))


@pytest.mark.parametrize('config', ['pixpro', 'pixcontrast'])
def test_both_algorithms_check_before_their_loss(small_images, max_iters, config):
    if config == 'pixpro':
        model_cfg = Config.fromfile(SMALL_CONFIG).model
    else:
        model_cfg = on_small_encoder(Config.fromfile(PIXCONTRAST_CONFIG).model)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.init_weights()
    assert type(model.data_preprocessor).__name__ == \
        'PhotometricDataPreprocessor'
    batch = one_batch(small_images)
    assert all('photometric' in s for s in batch['data_samples'])
    # Outside training the preprocessor only normalises: a loss on that
    # would be unaugmented too.
    data = model.data_preprocessor(one_batch(small_images), training=False)
    with pytest.raises(TypeError) as info:
        model.loss(data['inputs'], data['data_samples'])
    assert_names_both_halves(str(info.value), 'PhotometricDataPreprocessor')
    # In training it applies them and says so: the loss runs.
    data = model.data_preprocessor(batch, training=True)
    losses = model.loss(data['inputs'], data['data_samples'])
    assert all(torch.isfinite(v).all() for v in losses.values())


def test_mmpretrain_preprocessor_passes_views_unaugmented(small_images):
    """Why the check is needed: SelfSupDataPreprocessor's output is the
    plain normalisation of the uint8 views (computed here by hand), with
    the drawn parameters left on the data samples."""
    cfg = Config.fromfile(SMALL_CONFIG).model.data_preprocessor
    cfg.type = 'SelfSupDataPreprocessor'
    pre = MODELS.build(cfg)
    batch = one_batch(small_images)
    views = [v.clone() for v in batch['inputs']]
    data = pre(batch, training=True)
    mean = torch.tensor(cfg.mean).view(1, 3, 1, 1)
    std = torch.tensor(cfg.std).view(1, 3, 1, 1)
    for got, raw in zip(data['inputs'], views):
        if cfg.get('to_rgb'):
            raw = raw[:, [2, 1, 0]]
        torch.testing.assert_close(got, (raw.float() - mean) / std)
    with pytest.raises(TypeError, match=r'\(SelfSupDataPreprocessor\)'):
        check_photometric_applied(data['data_samples'], pre)


def test_pil_path_samples_pass():
    """Samples without photometric parameters (the PIL path, the unit
    tests' hand-made batches) pass."""
    from mmpretrain.structures import DataSample
    sample = DataSample()
    sample.set_field(torch.zeros(2, 4), 'coord')
    check_photometric_applied([sample])
    check_photometric_applied(None)
    sample.set_field(torch.zeros(2, 13), 'photometric')
    with pytest.raises(TypeError, match='an unknown preprocessor'):
        check_photometric_applied([sample])
