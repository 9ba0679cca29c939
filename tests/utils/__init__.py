"""Helpers the tests share; fixtures stay in the conftest files."""
from .paths import REPO, SMALL_CONFIG, load_tool_main
from .training import (FINETUNE_AT_TEST_SIZE, build_runner, dist_train,
                       free_port, run_tool, small_cfg, train_py)

__all__ = [
    'REPO', 'SMALL_CONFIG', 'load_tool_main', 'FINETUNE_AT_TEST_SIZE',
    'build_runner', 'dist_train', 'free_port', 'run_tool', 'small_cfg',
    'train_py'
]
