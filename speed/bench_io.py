"""What the speed scripts share: one measurement per subprocess (so peak
memory is its own), handed back as a ``RESULT {json}`` line, and the JSON
files they write to ``speed/results/``."""
import json
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
RESULT = 'RESULT '


def default_device() -> str:
    """The scripts' ``--device`` default: 'cuda' when torch sees a GPU,
    else 'cpu'."""
    import torch
    return 'cuda' if torch.cuda.is_available() else 'cpu'


def print_result(result: dict) -> None:
    """In a worker: hand ``result`` to :func:`collect_result`."""
    print(RESULT + json.dumps(result), flush=True)


def collect_result(cmd: list, what: str, env: dict = None) -> dict:
    """Run a worker command from the repository root and return the last
    result it printed; exit naming ``what``, with its output, if it failed
    or printed none."""
    proc = subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    lines = [l for l in proc.stdout.splitlines() if l.startswith(RESULT)]
    if proc.returncode or not lines:
        sys.exit(f'{what} failed:\n{proc.stdout}\n{proc.stderr}')
    return json.loads(lines[-1][len(RESULT):])


def write_results(name: str, results: dict) -> str:
    """Write ``speed/results/NAME`` (indented JSON), say so, return
    its path."""
    out_dir = osp.join(REPO, 'speed', 'results')
    os.makedirs(out_dir, exist_ok=True)
    out = osp.join(out_dir, name)
    with open(out, 'w') as f:
        json.dump(results, f, indent=2)
    print(f'wrote {osp.relpath(out, REPO)}')
    return out
