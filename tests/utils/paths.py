"""Where the tests find the repository, its small config and its tools."""
import importlib.util
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# The small config: the recipe at CPU scale, for the engine and data tests.
SMALL_CONFIG = osp.join(REPO, 'configs', 'pixpro',
                        'pixpro_resnet18-w16_1xb16-4e.py')


def load_tool_main(*path):
    """The ``main(argv)`` of a script under tools/, e.g.
    ``load_tool_main('model_converters', 'to_detectron2.py')``."""
    file = osp.join(REPO, 'tools', *path)
    spec = importlib.util.spec_from_file_location(
        osp.splitext(osp.basename(file))[0], file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main
