"""The dense probe's command line, on random init, for the probe's
bad-input tests."""
from .paths import SMALL_CONFIG, load_tool_main

probe_cli = load_tool_main('analysis', 'dense_probe.py')


def run_probe_cli(data, *extra):
    """tools/analysis/dense_probe.py on random init over ``data``."""
    return probe_cli([SMALL_CONFIG, 'random', '--data-root', data, '--format',
                      'cityscapes', '--img-size', '32', '--quiet', *extra])
