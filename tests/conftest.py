import os.path as osp

import pytest
from mmengine.logging import MessageHub

from mmpixpro.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(REPO, 'configs', 'pixpro',
                       'pixpro_resnet18-w16_1xb16-4e_demo.py')

register_all_modules()


@pytest.fixture
def max_iters():
    """Give models used outside a Runner the total iteration count K."""
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 100)
    yield 100
