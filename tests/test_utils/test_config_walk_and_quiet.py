"""The shared config walk and the quiet-logging context."""
import logging

import pytest
from mmengine.config import Config
from mmengine.logging import MMLogger

from mmpixpro.utils import iter_config_dicts, quiet_mmengine


def test_walk_visits_every_dict_with_its_dotted_key():
    cfg = Config(dict(
        model=dict(type='M', backbone=dict(norm_cfg=dict(type='SyncBN')),
                   heads=[dict(type='A'), 3, (dict(type='B'), )]),
        steps=[1, 2]))
    keys = [key for key, _ in iter_config_dicts(cfg)]
    # Written out by hand: parents first, depth first, list items by index.
    assert keys == ['', 'model', 'model.backbone', 'model.backbone.norm_cfg',
                    'model.heads.0', 'model.heads.2.0']


def test_walk_hands_out_the_configs_own_dicts():
    cfg = Config(dict(a=dict(norm_cfg=dict(type='SyncBN')),
                      b=[dict(norm_cfg=dict(type='SyncBN'))]))
    for _, node in iter_config_dicts(cfg):
        if node.get('type') == 'SyncBN':
            node['type'] = 'BN'
    assert cfg.a.norm_cfg.type == 'BN' and cfg.b[0].norm_cfg.type == 'BN'
    assert list(iter_config_dicts(7)) == []


def test_quiet_restores_the_level_also_on_error():
    logger = MMLogger.get_current_instance()
    before = logger.level
    with quiet_mmengine(logging.ERROR):
        assert logger.level == logging.ERROR
    assert logger.level == before
    with pytest.raises(RuntimeError):
        with quiet_mmengine():
            assert logger.level == logging.WARNING
            raise RuntimeError
    assert logger.level == before


def test_syncbn_to_bn_rewrites_every_syncbn_and_nothing_else():
    from mmpixpro.utils import syncbn_to_bn
    cfg = Config(dict(
        backbone=dict(norm_cfg=dict(type='SyncBN', requires_grad=True)),
        heads=[dict(norm_cfg=dict(type='SyncBN')), dict(type='GN')]))
    assert syncbn_to_bn(cfg) is cfg
    assert cfg.backbone.norm_cfg == dict(type='BN', requires_grad=True)
    assert cfg.heads[0].norm_cfg.type == 'BN' and cfg.heads[1].type == 'GN'
