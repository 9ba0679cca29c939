"""The distributed launchers (``tools/dist_train.sh`` and the fine-tune
launchers built on it) hand torchrun the command a user expects: checked
with a stand-in interpreter that records what it was given."""
import os
import os.path as osp
import stat
import subprocess

import pytest

from tests.utils import REPO


def launch(tmp_path, script, *args, **env):
    """Run ``script`` with ``PYTHON`` a stand-in that writes its argv and
    PYTHONPATH; returns ``(argv, pythonpath)``."""
    record = tmp_path / 'argv'
    fake = tmp_path / 'python'
    fake.write_text('#!/usr/bin/env bash\n'
                    f'printf "%s\\n" "$@" > {record}\n'
                    f'echo "$PYTHONPATH" > {record}.path\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    run_env = dict(os.environ, PYTHON=str(fake), **env)
    run_env.pop('PYTHONPATH', None)
    subprocess.run(['bash', osp.join(REPO, script), *args], check=True,
                   env=run_env, cwd=tmp_path)
    argv = record.read_text().splitlines()
    pythonpath = (tmp_path / 'argv.path').read_text().strip()
    return argv, pythonpath


def torchrun(gpus, nnodes='1', rank='0', addr='127.0.0.1', port='29500'):
    return ['-m', 'torch.distributed.run', f'--nnodes={nnodes}',
            f'--node_rank={rank}', f'--master_addr={addr}',
            f'--nproc_per_node={gpus}', f'--master_port={port}']


def test_pretraining_launcher(tmp_path):
    argv, path = launch(tmp_path, 'tools/dist_train.sh', 'a.py', '8',
                        '--amp')
    assert argv[:7] == torchrun('8')
    assert osp.realpath(argv[7]) == osp.join(REPO, 'tools', 'train.py')
    assert argv[8:] == ['a.py', '--launcher', 'pytorch', '--amp']
    assert osp.realpath(path) == REPO


@pytest.mark.parametrize('task', ['mmdetection', 'mmsegmentation'])
def test_finetune_launchers(tmp_path, task):
    argv, path = launch(tmp_path, f'tools/benchmarks/{task}/dist_train.sh',
                        'c.py', 'w.pth', '4', '--work-dir', 'out',
                        NNODES='2', NODE_RANK='1', MASTER_ADDR='10.0.0.1',
                        PORT='1234')
    assert argv[:7] == torchrun('4', '2', '1', '10.0.0.1', '1234')
    assert osp.realpath(argv[7]) == osp.join(REPO, 'tools', 'benchmarks',
                                             'train_downstream.py')
    assert argv[8:] == ['c.py', '--launcher', 'pytorch', '--pretrained',
                        'w.pth', '--work-dir', 'out']
    assert osp.realpath(path) == REPO
