"""Building downstream configs for CPU tests: only paths, image sizes,
iteration counts, norm type and dataloader workers are changed."""
import torch.nn as nn
from mmengine.config import Config

from mmpixpro.evaluation import build_downstream_model
from mmpixpro.utils import syncbn_to_bn


def cpu_loaders(cfg):
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].num_workers = 0
        cfg[name].persistent_workers = False


def cpu_config(config: str, work_dir: str) -> Config:
    """The config file with what every CPU run changes alike: BN for SyncBN,
    loaders without workers, and ``work_dir``."""
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    syncbn_to_bn(cfg.model)
    cpu_loaders(cfg)
    return cfg


def build_initialised(config: str, backbone_file: str, edit=None) -> nn.Module:
    """The config's model with BN, every Pretrained init_cfg pointing at
    ``backbone_file``, built in the config's scope, initialised, in eval
    mode. ``edit(model_cfg)`` may change the model config first."""

    def cpu_edit(model_cfg):
        syncbn_to_bn(model_cfg)
        if edit is not None:
            edit(model_cfg)

    model = build_downstream_model(config, backbone_file, cpu_edit)
    model.eval()
    return model
