"""Let mmengine 0.10 load its own checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default; mmengine
0.10.7 calls ``torch.load`` without the argument, so resuming and
``Pretrained`` initialisation fail on checkpoints that hold the message hub,
numpy scalars or config objects. We register a local-file loader that states
``weights_only=False``, which is what mmengine was written for. Like
``torch.load`` before 2.6, this trusts the file: load only checkpoints you
made or got from a source you trust.
"""
import os.path as osp

import torch
from mmengine.runner import CheckpointLoader
from mmengine.utils import digit_version


def load_from_local(filename: str, map_location=None):
    # mmengine logs 'Loads checkpoint by <name[10:]> backend': keep its
    # naming so the line still says 'local'.
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


def patch_mmengine_checkpoint_loading() -> bool:
    """Install the loader when torch needs it; returns whether it did."""
    if digit_version(torch.__version__) < digit_version('2.6.0'):
        return False
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
    return True
