"""The 1 % / 10 % COCO subset configs (subset file, full val2017, the
stated schedule), and one end-to-end run of the 1 % config through mmdet's
Runner on a generated COCO whose subset file the tool wrote."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmpixpro.converters.coco_subset import subset_size
from tests.utils import load_tool_main
from tests.test_converters.test_coco_subset import (COCO_TRAIN_IMAGES,
                                                    FULL_CONFIG,
                                                    SUBSET_CONFIGS,
                                                    coco_subset_main, read)

# ---- configs -------------------------------------------------------------

# (images in the subset, iterations, LR steps, epochs at batch 16)
SCHEDULES = {1: (1183, 9000, [6000, 8000], 122),
             10: (11829, 27000, [18000, 24000], 37)}


@pytest.mark.parametrize('percent', [1, 10])
def test_subset_config(percent):
    cfg = Config.fromfile(SUBSET_CONFIGS[percent])
    full = Config.fromfile(FULL_CONFIG)
    train = cfg.train_dataloader.dataset
    # The train file is the tool's default output for the config's seed.
    assert cfg.subset_seed == 1
    assert train.ann_file == \
        f'semi_supervised/instances_train2017.1@{percent}.json'
    tool_default = load_tool_main('dataset_converters',
                                  'coco_subset.py').__globals__[
                                      'DEFAULT_OUT_DIR']
    assert osp.normpath(osp.join(train.data_root, osp.dirname(
        train.ann_file))) == osp.normpath(tool_default)
    # Everything but the train file and the schedule is the full config.
    assert train.data_prefix == full.train_dataloader.dataset.data_prefix
    assert train.pipeline == full.train_dataloader.dataset.pipeline
    assert cfg.val_dataloader == full.val_dataloader
    assert cfg.test_dataloader == full.test_dataloader
    assert cfg.val_evaluator == full.val_evaluator
    assert cfg.val_dataloader.dataset.ann_file == \
        'annotations/instances_val2017.json'
    assert cfg.val_evaluator.ann_file == \
        'data/coco/annotations/instances_val2017.json'
    for key in ('model', 'optim_wrapper', 'custom_hooks', 'custom_imports',
                'pretrained'):
        assert cfg[key] == full[key], key
    # The stated schedule: sqrt-scaled iterations, steps at 2/3 and 8/9,
    # the 1000-iteration warm-up of 1x.
    images, iters, steps, epochs = SCHEDULES[percent]
    assert subset_size(COCO_TRAIN_IMAGES, percent) == images
    assert cfg.train_cfg.max_iters == cfg.train_cfg.val_interval == iters
    assert iters == pytest.approx(
        full.train_cfg.max_iters * (percent / 100)**0.5, rel=0.06)
    warmup, steps_cfg = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end) == \
        ('LinearLR', 0.001, 1000)
    assert steps_cfg.type == 'MultiStepLR' and steps_cfg.end == iters
    assert steps_cfg.milestones == steps and steps_cfg.gamma == 0.1
    batch = 8 * cfg.train_dataloader.batch_size
    assert batch == 16 and round(iters * batch / images) == epochs


# ---- end to end ----------------------------------------------------------


@pytest.mark.slow
def test_one_percent_config_trains_on_tool_output(tmp_path, pretrained):
    """A generated COCO (100 train images), its 1 % file written by the
    tool into the default folder layout, then the 1 % config through mmdet's
    Runner with only paths, sizes, iterations, norm and workers overridden:
    it trains on exactly the subset's image and validates on val2017."""
    from tests.utils.generated_coco import write_coco
    from tests.test_evaluation.test_coco_transfer import (coco_cfg,
                                                          train_and_validate)
    root = write_coco(str(tmp_path / 'coco'),
                      splits=(('train2017', 100), ('val2017', 2)))
    assert coco_subset_main([
        osp.join(root, 'annotations', 'instances_train2017.json'),
        osp.join(root, 'semi_supervised'), '--percents', '1', '10'
    ]) == 0
    subset = read(osp.join(root, 'semi_supervised',
                           'instances_train2017.1@1.json'))
    assert len(subset['images']) == 1 and subset['annotations']
    cfg = coco_cfg(SUBSET_CONFIGS[1], root + '/', str(tmp_path / 'work'),
                   pretrained['backbone'])
    runner = train_and_validate(cfg)
    dataset = runner.train_loop.dataloader.dataset
    assert len(dataset) == 1
    info = dataset.get_data_info(0)
    assert info['img_id'] == subset['images'][0]['id']
    assert len(info['instances']) == len(subset['annotations'])
    assert runner.iter == 2
