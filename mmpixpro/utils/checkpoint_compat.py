"""mmengine's loading of local checkpoint files, made safe at one point.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``: under torch <
2.6 that unpickles anything (a crafted file runs code), and under torch >=
2.6 it refuses mmengine's own checkpoints (numpy values, the message hub's
``HistoryBuffer``). We register a local-file loader that reads through
:func:`mmpixpro.converters.safe_load.load_checkpoint_file`: torch's
``weights_only`` unpickler with the allow-list of the types these
checkpoints hold. It serves ``load_from``, ``--resume`` and every
``Pretrained`` init_cfg (also mmdet's and mmseg's, once mmpixpro is
imported). A file that needs more is refused, naming the file and the type;
it loads only inside ``safe_load.unsafe_load()``: ``unsafe_load = True``
in a training config, ``--unsafe-load`` in the tools.
"""
import os.path as osp

from mmengine.runner import CheckpointLoader

from mmpixpro.converters.safe_load import load_checkpoint_file

CONFIG_HINT = ('set unsafe_load = True in the config (tools/train.py '
               '--unsafe-load) to load it anyway, only if you trust the '
               'file: it then runs whatever code the file holds')


def load_from_local(filename: str, map_location=None):
    # mmengine logs 'Loads checkpoint by <name[10:]> backend': keep its
    # naming so the line still says 'local'.
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    return load_checkpoint_file(filename, map_location=map_location,
                                hint=CONFIG_HINT)


def patch_mmengine_checkpoint_loading() -> bool:
    """Install the safe loader for local files (every torch version)."""
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
    return True
