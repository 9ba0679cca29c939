"""Short training runs: the small config shrunk for the engine tests, the
tools run as a user runs them, and the main job's fine-tunes at test size."""
import os
import os.path as osp
import socket
import subprocess
import sys

from mmengine.config import Config
from mmengine.registry import RUNNERS

from .paths import REPO, SMALL_CONFIG


def small_cfg(work_dir, data_root, max_epochs=2, batch_size=4, seed=0):
    """The small config shrunk to `max_epochs` epochs of 2 iterations each
    (8 images, batch 4) with a checkpoint every epoch."""
    cfg = Config.fromfile(SMALL_CONFIG)
    cfg.work_dir = str(work_dir)
    cfg.launcher = 'none'
    loader = cfg.train_dataloader
    loader.batch_size = batch_size
    loader.num_workers = 1
    loader.persistent_workers = False
    loader.dataset.data_root = str(data_root)
    cfg.train_cfg.max_epochs = max_epochs
    warmup = dict(type='LinearLR', start_factor=0.01, by_epoch=True,
                  begin=0, end=1, convert_to_iter_based=True)
    cosine = dict(type='CosineAnnealingLR', T_max=max(max_epochs - 1, 1),
                  eta_min=1e-6, by_epoch=True, begin=min(1, max_epochs - 1),
                  end=max_epochs, convert_to_iter_based=True)
    cfg.param_scheduler = [warmup, cosine] if max_epochs > 1 else [cosine]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=1, max_keep_ckpts=10)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.randomness = dict(seed=seed)
    return cfg


def build_runner(cfg):
    return RUNNERS.build(cfg)


def run_tool(args, env=None, timeout=600):
    """Run a command from the repository root with this interpreter."""
    env = dict(os.environ, **(env or {}))
    env['PYTHON'] = sys.executable
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    return subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True,
        timeout=timeout)


def train_py():
    return osp.join(REPO, 'tools', 'train.py')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def dist_train(cfg, cfg_file, nproc=2):
    """Dump ``cfg`` to ``cfg_file`` and train it with tools/dist_train.sh in
    ``nproc`` CPU processes; returns the process (stdout and stderr kept)."""
    cfg.dump(cfg_file)
    return run_tool(['bash', 'tools/dist_train.sh', cfg_file, str(nproc)],
                    env=dict(PORT=str(free_port()), OMP_NUM_THREADS='1'))


# The main job's fine-tunes at test size: 2 iterations of 2 images, no
# loader workers.
FINETUNE_AT_TEST_SIZE = [
    'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
    'train_dataloader.batch_size=2'
] + [
    f'{loader}.{key}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    for key in ('num_workers=0', 'persistent_workers=False')
]
