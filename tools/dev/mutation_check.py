#!/usr/bin/env python
"""Mutation check of the core: does the test suite catch small wrong changes?

A dev tool, not part of CI. Each mutant below is one textual change to one
file of the core (PPM, projector, box geometry, the losses and heads, the
row blocks, the FPN levels, the algorithm, LARS, the momentum schedule, the
crop transforms, the converters), each a plausible
bug that gives wrong numbers without crashing. For every mutant the tool
applies the change, runs the fast tests that should catch it
(``pytest -x -q``) and puts the file back, then reports which mutants were
caught. The bar: every mutant caught.

A mutant whose source text is not found (or found more than once) is an
ERROR, a stale mutant: the code was rewritten, and the mutant must be
rewritten to express the same wrong change in the new code. It is never
skipped silently. A test run that collects nothing or cannot start is an
ERROR too, not a catch.

By default the mutants are applied in a temporary copy of the repository
(the working tree's tracked and untracked, not ignored files, or with
``--from-head`` / ``--from-commit REV`` a commit), so the working tree
other people use is never touched. ``--in-place`` edits the working tree
itself; the file is restored in a ``finally`` (also on Ctrl-C or SIGTERM)
and checked byte for byte afterwards.

Usage::

    .venv/bin/python tools/dev/mutation_check.py            # all mutants
    .venv/bin/python tools/dev/mutation_check.py --list
    .venv/bin/python tools/dev/mutation_check.py -k lars -k ppm
    .venv/bin/python tools/dev/mutation_check.py --from-head --markdown out.md

Exit status: 0 when every selected mutant is caught, 1 when one survived,
2 on an ERROR (stale mutant, broken run).
"""
import argparse
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

LARS = 'mmpixpro/engine/optimizers/pixpro_lars.py'
PIXPRO = 'mmpixpro/models/algorithms/pixpro.py'
GEOMETRY = 'mmpixpro/models/utils/box_geometry.py'
PPM = 'mmpixpro/models/necks/ppm.py'
PIXPRO_HEAD = 'mmpixpro/models/heads/pixpro_head.py'
CONSISTENCY_LOSS = 'mmpixpro/models/losses/pixel_consistency_loss.py'
CONTRAST_LOSS = 'mmpixpro/models/losses/pixel_contrast_loss.py'
CHUNKING = 'mmpixpro/models/utils/chunking.py'
FPN_LEVELS = 'mmpixpro/models/utils/fpn_levels.py'
PROJECTOR = 'mmpixpro/models/necks/pixel_projector.py'
INSTANCE_HEAD = 'mmpixpro/models/heads/instance_head.py'
MOMENTUM = 'mmpixpro/models/utils/momentum.py'
CROP = 'mmpixpro/datasets/transforms/crop_and_flip.py'
OFFICIAL = 'mmpixpro/converters/official.py'
BACKBONE_CONV = 'mmpixpro/converters/resnet_layout.py'
RUNNER = 'mmpixpro/engine/runner/exact_resume.py'

T_LARS = ['tests/test_engine/test_pixpro_lars.py']
T_MODEL = ['tests/test_models/test_pixpro.py']
T_GEOMETRY = ['tests/test_models/test_box_geometry.py']
T_PPM = ['tests/test_models/test_ppm.py']
T_HEAD = ['tests/test_models/test_pixpro_head.py',
          'tests/test_models/test_losses.py',
          'tests/test_models/test_chunked.py']
T_CONTRAST = ['tests/test_models/test_losses.py',
              'tests/test_models/test_pixcontrast.py']
T_CHUNKS = ['tests/test_models/test_chunked.py',
            'tests/test_models/test_losses.py']
T_FPN = ['tests/test_models/test_pixpro_fpn.py::'
         'test_loss_is_the_weighted_mean_of_the_level_losses']
T_PROJECTOR = ['tests/test_models/test_ppm.py',
               'tests/test_models/test_instance_head.py']
T_INSTANCE = ['tests/test_models/test_instance_head.py',
              'tests/test_models/test_pixpro.py']
T_MOMENTUM = ['tests/test_models/test_momentum.py']
T_CROP = ['tests/test_datasets/test_crop_boxes.py']
T_CONVERT = ['tests/test_tools/test_official_converter.py',
             'tests/test_tools/test_backbone_converters.py']
T_RESUME = ['tests/test_engine/test_training.py::'
            'test_resume_continues_exactly']


@dataclass
class Mutant:
    name: str
    path: str
    old: str  # must occur exactly once in the file
    new: str
    tests: List[str]
    why: str  # the wrong behaviour, in words
    origin: str = 'added'  # 'first' for the fourteen the check started with


MUTANTS = [
    # --- the first fourteen: five the suite of that time missed ----------
    Mutant('lars-trust-from-grad', LARS,
           'p_norm, d_norm = p.norm(), d.norm()',
           'p_norm, d_norm = p.norm(), p.grad.norm()', T_LARS,
           'trust ratio from |g| instead of |g + wd w| (loop)', 'first'),
    Mutant('lars-no-decay', LARS,
           "d = d.add(p, alpha=group['weight_decay'])",
           'd = d', T_LARS,
           'no weight decay for adapted parameters (loop)', 'first'),
    Mutant('instance-no-lambda', PIXPRO,
           "losses['loss_instance'] = self.instance_loss_weight * "
           'loss_instance',
           "losses['loss_instance'] = loss_instance", T_MODEL,
           'instance loss without its weight lambda', 'first'),
    Mutant('instance-own-target', PIXPRO,
           'self.instance_head.loss(online1.instance, target2.instance)',
           'self.instance_head.loss(online1.instance, target1.instance)',
           T_MODEL,
           'view 1 paired with its own target in the instance loss',
           'first'),
    Mutant('mask-at-threshold', GEOMETRY,
           'return dist < threshold', 'return dist <= threshold',
           T_GEOMETRY, 'a pair exactly at T counts as positive', 'first'),
    # --- and nine more across the core -----------------------------------
    Mutant('ppm-no-power', PPM,
           'return sim.pow(self.gamma)', 'return sim', T_PPM,
           'similarity not raised to gamma', 'first'),
    Mutant('ppm-unnormalised-value', PPM,
           'value = F.normalize(value.flatten(2).to(dtype), dim=1)',
           'value = value.flatten(2).to(dtype)', T_PPM,
           'g(x_j) not L2-normalised before the sum', 'first'),
    Mutant('geometry-min-diagonal', GEOMETRY,
           'torch.maximum(diag_a, diag_b)', 'torch.minimum(diag_a, diag_b)',
           T_GEOMETRY, 'distance in units of the smaller cell diagonal',
           'first'),
    Mutant('geometry-cell-corner', GEOMETRY,
           'cols = torch.arange(width, dtype=boxes.dtype, '
           'device=boxes.device) + 0.5',
           'cols = torch.arange(width, dtype=boxes.dtype, '
           'device=boxes.device)', T_GEOMETRY,
           'cell x at its left edge instead of its centre', 'first'),
    Mutant('head-loss-scale', CONSISTENCY_LOSS,
           'return -2 * per_image.mean()', 'return -per_image.mean()',
           T_HEAD, 'pixel loss without its factor -2', 'first'),
    Mutant('instance-head-unnormalised', INSTANCE_HEAD,
           'pred = F.normalize(pred.to(dtype).mean((2, 3)), dim=1)',
           'pred = pred.to(dtype).mean((2, 3))', T_INSTANCE,
           'instance prediction not L2-normalised', 'first'),
    Mutant('momentum-schedule-reversed', MOMENTUM,
           '(math.cos(math.pi * k / total) +\n',
           '(-math.cos(math.pi * k / total) +\n', T_MOMENTUM,
           'tau from 1 down to 0.99 instead of 0.99 up to 1', 'first'),
    Mutant('crop-box-one-past', CROP,
           '(left + w - 1) / sx', '(left + w) / sx', T_CROP,
           'x2 one pixel past the crop\'s last column', 'first'),
    Mutant('converter-target-as-online', OFFICIAL,
           "('encoder_k.', 'target_net.module.backbone.')",
           "('encoder_k.', 'backbone.')", T_CONVERT,
           'released target encoder loaded as the online backbone',
           'first'),
    # --- added ----------------------------------------------------------
    Mutant('lars-adapts-1d', LARS,
           "and p.ndim <= 1)", "and p.ndim < 1)", T_LARS,
           '1-D parameters (biases, BN) get LARS adaptation and decay'),
    Mutant('lars-dampened-momentum', LARS,
           "state['momentum_buffer'].mul_(group['momentum']).add_(d)",
           "state['momentum_buffer'].mul_(group['momentum']).add_(\n"
           "                        d, alpha=1 - group['momentum'])",
           T_LARS, 'momentum buffer with dampening (loop)'),
    Mutant('lars-foreach-trust-from-grad', LARS,
           'd_norms = torch.stack(torch._foreach_norm(grads))',
           'd_norms = torch.stack(torch._foreach_norm(\n'
           '                [p.grad for p in adapted]))', T_LARS,
           'trust ratio from |g| instead of |g + wd w| (multi-tensor)'),
    Mutant('lars-foreach-no-decay', LARS,
           "grads = torch._foreach_add(\n"
           "                    grads, adapted, alpha=group['weight_decay'])",
           'grads = list(grads)', T_LARS,
           'no weight decay for adapted parameters (multi-tensor)'),
    Mutant('lars-foreach-dampened-momentum', LARS,
           'torch._foreach_add_(bufs, new)',
           "torch._foreach_add_(bufs, new, alpha=1 - group['momentum'])",
           T_LARS, 'momentum buffer with dampening (multi-tensor)'),
    Mutant('ppm-no-clamp', PPM,
           '.clamp(min=self.clamp_min)', '', T_PPM,
           'negative similarities not clamped at 0'),
    Mutant('pixel-own-target', PIXPRO,
           'self.head.loss(o1, t2, boxes1, boxes2)',
           'self.head.loss(o1, t1, boxes1, boxes2)',
           T_MODEL, 'view 1 predicts its own target pixels'),
    Mutant('momentum-update-swapped', MOMENTUM,
           'torch._foreach_mul_(averaged_param, tau)\n'
           '        torch._foreach_add_(averaged_param, source_param, '
           'alpha=1 - tau)',
           'torch._foreach_mul_(averaged_param, 1 - tau)\n'
           '        torch._foreach_add_(averaged_param, source_param, '
           'alpha=tau)',
           T_MOMENTUM, 'target mostly replaced by the online network'),
    Mutant('crop-normalised-by-size', CROP,
           'sx, sy = max(width - 1, 1), max(height - 1, 1)',
           'sx, sy = width, height', T_CROP,
           'box normalised by W, H instead of W - 1, H - 1'),
    Mutant('flip-box-kept', CROP,
           "results['coord'] = results['coord'][[2, 1, 0, 3]]",
           "results['coord'] = results['coord'][[0, 1, 2, 3]]", T_CROP,
           'a flipped view keeps x1 < x2'),
    Mutant('detectron2-stage-names', BACKBONE_CONV,
           "f'res{int(m.group(1)) + 1}.'", "f'res{int(m.group(1))}.'",
           T_CONVERT, 'layerN -> resN instead of res(N+1)'),
    Mutant('resume-perturbs-weights', RUNNER,
           'super().resume(filename, *args, **kwargs)\n',
           'super().resume(filename, *args, **kwargs)\n'
           '        [p.data.mul_(1 + 1e-7) for p in self.model.parameters()]'
           '\n', T_RESUME,
           'a resume that moves the weights by one float32 ulp (1e-7)'),
    Mutant('blocks-drop-last-row', CHUNKING,
           'stop = min(start + chunk_size, num_rows)',
           'stop = min(start + chunk_size, num_rows - 1)', T_CHUNKS,
           'the last row of every chunked PPM and loss left out'),
    Mutant('head-chunk-not-to-ppm', PIXPRO_HEAD,
           "predictor.setdefault('chunk_size', chunk_size)",
           'pass', T_HEAD,
           "the head's chunk_size does not reach the PPM"),
    Mutant('chunked-loss-pooled-count', CONSISTENCY_LOSS,
           'return -2 * (per_image / (counts + 1e-6)).mean()',
           'return -2 * (per_image / (counts.mean() + 1e-6)).mean()', T_HEAD,
           'chunked loss divides by the batch mean of the pair counts'),
    Mutant('contrast-temperature-inverted', CONTRAST_LOSS,
           'logits = logits / temperature', 'logits = logits * temperature',
           T_CONTRAST, 'cosines multiplied by tau instead of divided'),
    Mutant('fpn-weights-unnormalised', FPN_LEVELS,
           'return levels, tuple(w / sum(weights) for w in weights)',
           'return levels, weights', T_FPN,
           'FPN level weights not normalised to sum 1'),
    Mutant('pointwise-no-bias', PROJECTOR,
           'self.weight.flatten(1), self.bias)',
           'self.weight.flatten(1), None)', T_PROJECTOR,
           'the 1x1 layers of projector and PPM lose their bias'),
]


@dataclass
class Result:
    mutant: Mutant
    status: str  # caught, SURVIVED, ERROR
    detail: str = ''
    seconds: float = 0.


def _terminate(signum, frame):
    raise KeyboardInterrupt(f'signal {signum}')


def tree_files(repo: str) -> List[str]:
    out = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others',
         '--exclude-standard'], cwd=repo, check=True,
        capture_output=True).stdout.decode()
    return [p for p in out.split('\0') if p and osp.isfile(osp.join(repo, p))]


def make_copy(repo: str, dest: str, commit: Optional[str]) -> None:
    if commit:
        archive = subprocess.run(['git', 'archive', commit], cwd=repo,
                                 check=True, capture_output=True).stdout
        subprocess.run(['tar', '-x', '-C', dest], input=archive, check=True)
        return
    for rel in tree_files(repo):
        os.makedirs(osp.dirname(osp.join(dest, rel)), exist_ok=True)
        shutil.copy2(osp.join(repo, rel), osp.join(dest, rel))


def run_env(root: str) -> dict:
    env = dict(os.environ)
    env['PYTHONPATH'] = root + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '2')
    return env


def check_imports_from(root: str, python: str) -> None:
    """The copy's mmpixpro, not the installed working tree's, is imported."""
    out = subprocess.run(
        [python, '-c', 'import mmpixpro, os; print(os.path.realpath('
         'mmpixpro.__file__))'], cwd=root, env=run_env(root),
        capture_output=True, text=True)
    where = out.stdout.strip()
    if out.returncode != 0 or not where.startswith(osp.realpath(root)):
        raise SystemExit(f'mutation_check: mmpixpro is imported from '
                         f'{where or out.stderr[-500:]}, not from {root}')


def run_tests(root: str, python: str, tests: Sequence[str],
              timeout: float) -> subprocess.CompletedProcess:
    cmd = [python, '-m', 'pytest', '-x', '-q', '-p', 'no:cacheprovider',
           '-W', 'ignore', *tests]
    return subprocess.run(cmd, cwd=root, env=run_env(root),
                          capture_output=True, text=True, timeout=timeout)


def last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ''


def check_mutant(root: str, m: Mutant, python: str,
                 timeout: float) -> Result:
    path = osp.join(root, m.path)
    if not osp.isfile(path):
        return Result(m, 'ERROR', f'stale: {m.path} does not exist')
    with open(path, 'rb') as f:
        original = f.read()
    text = original.decode()
    count = text.count(m.old)
    if count != 1:
        return Result(m, 'ERROR', f'stale: pattern found {count} times in '
                      f'{m.path} (expected once): {m.old!r}')
    start = time.time()
    try:
        with open(path, 'w') as f:
            f.write(text.replace(m.old, m.new))
        proc = run_tests(root, python, m.tests, timeout)
    except subprocess.TimeoutExpired:
        return Result(m, 'ERROR', f'tests ran past {timeout:.0f} s',
                      time.time() - start)
    finally:
        with open(path, 'wb') as f:
            f.write(original)
        with open(path, 'rb') as f:
            if f.read() != original:
                raise SystemExit(f'mutation_check: could not restore {path}')
    seconds = time.time() - start
    summary = last_line(proc.stdout)
    if proc.returncode == 0:
        return Result(m, 'SURVIVED', summary, seconds)
    if proc.returncode == 1:  # some test failed: caught
        failed = [ln.split(' - ')[0] for ln in proc.stdout.splitlines()
                  if ln.startswith(('FAILED', 'ERROR'))]
        return Result(m, 'caught', failed[0] if failed else summary, seconds)
    return Result(m, 'ERROR', f'pytest exit {proc.returncode}: {summary} '
                  f'{last_line(proc.stderr)}', seconds)


def baseline(root: str, python: str, mutants: Sequence[Mutant],
             timeout: float) -> Optional[str]:
    """The selected tests must pass on the unmutated code."""
    tests = sorted({t for m in mutants for t in m.tests})
    proc = run_tests(root, python, tests, timeout * 2)
    if proc.returncode != 0:
        return (f'the tests fail without any mutant (exit '
                f'{proc.returncode}):\n{proc.stdout[-3000:]}')
    return None


def markdown(results: Sequence[Result], source: str) -> str:
    caught = sum(r.status == 'caught' for r in results)
    lines = [f'{caught} / {len(results)} mutants caught ({source}).', '',
             '| mutant | file | wrong change | from | result | caught by |',
             '|---|---|---|---|---|---|']
    def cell(text):
        return text.replace('|', '\\|')

    for r in results:
        by = r.detail or '-'
        if by.startswith(('FAILED ', 'ERROR ')):
            by = '`' + by.split(' ', 1)[1] + '`'
        lines.append(f'| `{r.mutant.name}` | `{r.mutant.path}` | '
                     f'{cell(r.mutant.why)} | {r.mutant.origin} | '
                     f'{r.status} | {cell(by)} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-k', action='append', default=[],
                        help='only mutants whose name contains this '
                        '(repeatable)')
    parser.add_argument('--list', action='store_true',
                        help='list the mutants and check their patterns')
    parser.add_argument('--in-place', action='store_true',
                        help='mutate the working tree itself (restored '
                        'after each mutant) instead of a temporary copy')
    parser.add_argument('--from-head', action='store_true',
                        help='copy the last commit, not the working tree')
    parser.add_argument('--from-commit', metavar='REV',
                        help='copy this commit (e.g. to see which mutants '
                        'an older suite missed)')
    parser.add_argument('--python', default=sys.executable)
    parser.add_argument('--timeout', type=float, default=600,
                        help='seconds per mutant run')
    parser.add_argument('--no-baseline', action='store_true',
                        help='skip the run of the tests on unmutated code')
    parser.add_argument('--markdown', help='also write the table here')
    args = parser.parse_args(argv)
    if args.from_head:
        args.from_commit = args.from_commit or 'HEAD'
    if args.in_place and args.from_commit:
        parser.error('--in-place copies nothing: no --from-head or '
                     '--from-commit with it')

    mutants = [m for m in MUTANTS
               if not args.k or any(k in m.name for k in args.k)]
    if not mutants:
        parser.error('no mutant matches -k')
    names = [m.name for m in MUTANTS]
    assert len(set(names)) == len(names), 'duplicate mutant names'

    signal.signal(signal.SIGTERM, _terminate)
    tmp = None
    touched = sorted({m.path for m in mutants})
    snapshot = {p: open(osp.join(REPO, p), 'rb').read() for p in touched
                if osp.isfile(osp.join(REPO, p))}
    results = []
    try:
        if args.in_place:
            root = REPO
        else:
            tmp = tempfile.mkdtemp(prefix='mutation_check_')
            root = osp.join(tmp, 'repo')
            os.makedirs(root)
            make_copy(REPO, root, args.from_commit)
        source = ('commit ' + subprocess.run(
            ['git', 'rev-parse', '--short', args.from_commit], cwd=REPO,
            capture_output=True, text=True, check=True).stdout.strip()
                  if args.from_commit else 'working tree')

        if args.list:
            bad = 0
            for m in mutants:
                path = osp.join(root, m.path)
                n = (open(path).read().count(m.old)
                     if osp.isfile(path) else -1)
                ok = 'ok' if n == 1 else ('ERROR: file missing' if n < 0 else
                                         f'ERROR: pattern found {n} times')
                bad += n != 1
                print(f'{m.name:30s} {m.path:45s} {ok}')
            return 2 if bad else 0

        if not args.in_place:
            check_imports_from(root, args.python)
        if not args.no_baseline:
            print('baseline: the selected tests on unmutated code ...',
                  flush=True)
            problem = baseline(root, args.python, mutants, args.timeout)
            if problem:
                print(f'ERROR: {problem}')
                return 2
        for i, m in enumerate(mutants, 1):
            r = check_mutant(root, m, args.python, args.timeout)
            results.append(r)
            print(f'[{i}/{len(mutants)}] {r.status:8s} {m.name}: '
                  f'{r.detail} ({r.seconds:.0f} s)', flush=True)
    finally:
        # Whatever happened, the working tree's files are as they were.
        changed = [p for p, data in snapshot.items()
                   if open(osp.join(REPO, p), 'rb').read() != data]
        if changed and args.in_place:
            print(f'ERROR: not restored, or edited during the run: {changed}')
        elif changed:
            print(f'note: edited in the working tree during the run (by '
                  f'someone else: the mutants went to a copy): {changed}')
        diff = subprocess.run(['git', 'diff', '--stat', '--', *touched],
                              cwd=REPO, capture_output=True, text=True)
        if diff.stdout.strip():
            print('note: uncommitted changes in the core files (there '
                  'before the run; the copy checked them):\n' + diff.stdout)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    caught = sum(r.status == 'caught' for r in results)
    print(f'\n{caught}/{len(results)} caught')
    for r in results:
        if r.status != 'caught':
            print(f'  {r.status}: {r.mutant.name} ({r.mutant.path}): '
                  f'{r.mutant.why}; {r.detail}')
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(markdown(results, source))
    if any(r.status == 'ERROR' for r in results):
        return 2
    return 0 if caught == len(results) else 1


if __name__ == '__main__':
    sys.exit(main())
