"""tools/main_job.py as a module (its functions, not only main)."""
import importlib.util
import os.path as osp

from tests.utils import REPO


def load_main_job():
    path = osp.join(REPO, 'tools', 'main_job.py')
    spec = importlib.util.spec_from_file_location('main_job', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
