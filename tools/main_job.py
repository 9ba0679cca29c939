"""The README's main job: the paper's protocol in miniature, on one CPU.

    python tools/main_job.py [--work-dir work_dirs/main_job] [--seeds 0 1 2]
    python tools/main_job.py --seeds 0 1 2 --resume   # keep finished scores
    python tools/main_job.py --pretrain-iters 2700     # 1.5x the pre-training
    python tools/main_job.py --control   # and a backbone trained with labels

On generated scenes (written once to ``--data``), per seed:

1. pre-train PixPro and, with the same backbone, data, views, batch, steps,
   optimiser and schedule, mmpretrain's BYOL (instance level) and DenseCL
   (dense, contrastive), each as ``tools/train.py CONFIG`` runs it;
2. extract each backbone (``extract_backbone_weights.py``), and write a
   draw of the initialisation they start from as a backbone file too;
3. score the four backbones (random init, PixPro, BYOL, DenseCL) three
   ways: the frozen dense probe (``tools/analysis/dense_probe.py``), and
   fine-tuned through the user's own mmdet and mmseg configs in miniature
   (``configs/benchmarks/mmdetection/voc0712/
   faster-rcnn_r18-w16-c4_scenes-voc.py``: VOC AP on the scenes' VOC layout;
   ``configs/benchmarks/mmsegmentation/cityscapes/
   fcn_r18-w16-d8_scenes-cityscapes.py``: mIoU on their Cityscapes layout),
   each launched as a user launches a fine-tune
   (``tools/benchmarks/train_downstream.py CONFIG --pretrained FILE``, which
   checks that every backbone weight arrived).

Then ``WORK_DIR/results.json`` (every stage's figures, or why it is
missing), ``WORK_DIR/results.md`` (mean and spread over seeds, a sentence per
comparison) and the pictures in ``WORK_DIR/pictures``; last, the transfer
check of the released recipe's chain (ResNet-50, 2 steps, extracted,
loaded into every downstream config). Every stage runs as its own
process, with its own progress bar; the main job prints each stage with
the time left.
"""
import argparse
import glob
import hashlib
import json
import math
import os
import os.path as osp
import re
import subprocess
import sys
import time
from collections import deque

from mmengine.config import DictAction

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
PY = sys.executable

PIXPRO_CONFIG = ('configs/pixpro/'
                 'pixpro_resnet18-w16_1xb32-bf16-1800it_scenes.py')
BYOL_CONFIG = 'configs/byol/byol_resnet18-w16_1xb32-bf16-1800it_scenes.py'
DENSECL_CONFIG = ('configs/densecl/'
                  'densecl_resnet18-w16_1xb32-bf16-1800it_scenes.py')
METHODS = {'PixPro': PIXPRO_CONFIG, 'BYOL': BYOL_CONFIG,
           'DenseCL': DENSECL_CONFIG}
BACKBONES = ('random init', 'PixPro', 'BYOL', 'DenseCL')
# The positive control (``--control``): a backbone that knows the classes.
CONTROL = 'control (supervised)'
DET_CONFIG = ('configs/benchmarks/mmdetection/voc0712/'
              'faster-rcnn_r18-w16-c4_scenes-voc.py')
SEG_CONFIG = ('configs/benchmarks/mmsegmentation/cityscapes/'
              'fcn_r18-w16-d8_scenes-cityscapes.py')
TASKS = ('probe', 'det', 'seg')
# (task, key in the task's figures, column title); every figure in %.
COLUMNS = (
    ('probe', 'linear_mIoU', 'probe linear mIoU'),
    ('probe', 'knn_mIoU', 'probe kNN mIoU'),
    ('det', 'AP50', 'detection AP50'),
    ('det', 'AP', 'detection AP'),
    ('seg', 'mIoU', 'segmentation mIoU'),
)
# The transfer check: the released recipe, 2 steps of 2 scenes each, into every
# downstream config that takes a backbone file. (The FPN/FCOS-head configs
# take files from the FPN pre-training recipes, tested on their own.)
RECIPE_CONFIG = 'configs/pixpro/pixpro_r50_8xb128.py'
RECIPE_SHRUNK = [
    "train_dataloader.dataset.data_prefix=''",
    'train_dataloader.dataset.indices=4',
    'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False', 'train_cfg.max_epochs=1'
]
TRANSFER_CONFIGS = [
    'configs/benchmarks/mmdetection/voc0712/'
    'faster-rcnn_r50-c4_ms-24k_voc0712.py',
    'configs/benchmarks/mmdetection/coco/mask-rcnn_r50-fpn_ms-1x_coco.py',
    'configs/benchmarks/mmdetection/coco/mask-rcnn_r50-c4_ms-1x_coco.py',
    'configs/benchmarks/mmdetection/coco/mask-rcnn_r50-fpn_1pct_coco.py',
    'configs/benchmarks/mmdetection/coco/mask-rcnn_r50-fpn_10pct_coco.py',
    'configs/benchmarks/mmsegmentation/cityscapes/'
    'fcn_r50-d8_4xb2-40k_cityscapes-769x769.py',
]
# Seconds each kind of stage took in the default run on 2 cores (from a
# fresh clone, 2026-12-06; pre-training, the three methods' mean, from the
# 2026-12-07 one of the 1800-step bf16 configs; the ETA's first guess,
# rescaled by how fast the stages done so far ran).
EXPECTED_SECONDS = dict(scenes=10, pretrain=390, extract=3, probe=15,
                        det=95, seg=105, pictures=5, transfer=20, control=90)


class OptionError(ValueError):
    """A main-job option out of range, found before any stage runs."""


class StageFailed(RuntimeError):
    """A stage's process failed; the message says how, and where its log
    is."""


# ---------------------------------------------------------------- options
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/main_job')
    parser.add_argument('--data', default='data/scenes',
                        help='generated scenes (written when missing)')
    parser.add_argument('--seeds', type=int, nargs='+', default=None,
                        help='seeds of the whole protocol (pre-training, '
                        'fine-tuning, probe); mean and spread over them. '
                        'Defaults to 0')
    parser.add_argument('--seed', type=int, default=None,
                        help='one seed (the same as --seeds SEED)')
    parser.add_argument('--tasks', nargs='+', default=list(TASKS),
                        help=f'which scores to compute, of {TASKS}')
    parser.add_argument('--img-size', type=int, default=256,
                        help='probe input size (scenes are upsampled)')
    parser.add_argument('--probe-epochs', type=int, default=30,
                        help='epochs of the linear probe')
    parser.add_argument('--show', type=int, default=4,
                        help='held-out scenes in the pictures')
    parser.add_argument('--control', action='store_true',
                        help='also score a positive control: the seed\'s '
                        'random init trained for segmentation on the '
                        'labelled train scenes the segmentation fine-tune '
                        'does not use, then extracted and scored like the '
                        'others (shows whether each task can reward a '
                        'backbone that knows the classes)')
    parser.add_argument('--no-transfer-check', action='store_true',
                        help='skip the released recipe\'s transfer check')
    parser.add_argument('--resume', action='store_true',
                        help='keep every score in WORK_DIR/results.json '
                        'whose settings and configs are this run\'s (e.g. '
                        'add seeds 1 and 2 to a finished seed 0, finish a '
                        'run cut short, or rerun only the fine-tune whose '
                        'config changed); run the rest')
    parser.add_argument('--pretrain-iters', type=int, default=None,
                        help='pre-training steps of all three methods '
                        '(defaults to the configs\' 1800); the warm-up keeps '
                        'its share of training and the cosine ends at the '
                        'last step')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='passed to the three pre-training '
                        'runs, e.g. train_cfg.max_iters=100')
    parser.add_argument('--det-options', nargs='+', action=DictAction,
                        default={}, help='passed to every detection '
                        'fine-tune, e.g. train_cfg.max_iters=100')
    parser.add_argument('--seg-options', nargs='+', action=DictAction,
                        default={}, help='passed to every segmentation '
                        'fine-tune')
    return parser.parse_args(argv)


def check_options(args) -> None:
    """Refuse every option that cannot work before the first stage starts,
    naming the main job's own option and its range. Sets ``args.seeds``."""
    if args.seed is not None and args.seeds is not None:
        raise OptionError('give --seeds or --seed, not both')
    seeds = args.seeds if args.seeds is not None else [
        0 if args.seed is None else args.seed]
    if any(s < 0 for s in seeds):
        raise OptionError(f'--seeds must be >= 0, got {seeds}')
    if len(set(seeds)) != len(seeds):
        raise OptionError(f'--seeds must not repeat a seed, got {seeds}')
    args.seeds = seeds
    unknown = [t for t in args.tasks if t not in TASKS]
    if unknown or not args.tasks:
        raise OptionError(f'--tasks must be one or more of {TASKS}, got '
                          f'{args.tasks}')
    if args.probe_epochs < 1:
        raise OptionError('--probe-epochs must be at least 1 (the linear '
                          f'probe trains for that many epochs), got '
                          f'{args.probe_epochs}')
    if args.img_size < 8 or args.img_size % 8:
        raise OptionError('--img-size must be a multiple of 8 (the probe '
                          'reads features at stride 8), at least 8, got '
                          f'{args.img_size}')
    if args.show < 0:
        raise OptionError(f'--show must be >= 0, got {args.show}')
    data = osp.abspath(args.data)
    if osp.exists(data) and not osp.isdir(data):
        raise OptionError(f'--data {args.data} is a file, not a folder')
    if osp.isdir(data) and os.listdir(data) and not osp.isfile(
            osp.join(data, 'scenes.json')):
        raise OptionError(
            f'--data {args.data} is neither empty nor a scene set written by '
            'tools/misc/make_scenes.py (no scenes.json); give another folder')
    work = osp.abspath(args.work_dir)
    if osp.exists(work) and not osp.isdir(work):
        raise OptionError(f'--work-dir {args.work_dir} is a file')
    # Every key of the config options must name a setting of the configs
    # they go to: a typo fails here, not after the first pre-training.
    from mmengine.config import Config
    methods = [Config.fromfile(c) for c in METHODS.values()]  # read once
    checks = [('--cfg-options', c, cfg, args.cfg_options)
              for c, cfg in zip(METHODS.values(), methods)]
    checks += [('--det-options', DET_CONFIG, None, args.det_options),
               ('--seg-options', SEG_CONFIG, None, args.seg_options)]
    for option, config, cfg, values in checks:
        if values:
            check_keys(option, config, cfg or Config.fromfile(config), values)
    if args.pretrain_iters is not None:
        args.cfg_options = {
            **args.cfg_options,
            **pretrain_schedule_options(methods, args.pretrain_iters,
                                        args.cfg_options)
        }
    warning = bf16_warning(methods)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    steps_now = methods[0].train_cfg.max_iters
    args.pretrain_scale = args.cfg_options.get('train_cfg.max_iters',
                                               steps_now) / steps_now


def pretrain_schedule_options(configs, iters: int, given: dict) -> dict:
    """The ``--cfg-options`` that run the pre-training ``configs`` (the
    three methods', which share one schedule) for ``iters`` steps: every
    iteration-based scheduler's ``begin`` and ``end`` scaled by ``iters``
    over the configs' ``max_iters`` (rounded), its ``T_max`` its new span.
    Only the values that change are returned, so the configs' own length
    gives ``{}``. Raises ``OptionError`` when the configs' schedules
    differ, when a stretched scheduler would be left no step, or when
    ``given`` (the user's ``--cfg-options``) already sets one of the
    keys."""
    def schedule(cfg):
        return cfg.train_cfg.get('max_iters'), [
            dict(s) for s in cfg.get('param_scheduler', [])
        ]

    if len({json.dumps(schedule(c), sort_keys=True) for c in configs}) > 1:
        raise OptionError('--pretrain-iters: the three methods\' configs '
                          'have different schedules; give --cfg-options')
    steps, schedulers = schedule(configs[0])
    if iters < 1:
        raise OptionError(f'--pretrain-iters must be at least 1, got {iters}')
    if steps is None:
        raise OptionError('--pretrain-iters: the configs are not '
                          'iteration-based; give --cfg-options')
    options = {}
    if iters != steps:
        options['train_cfg.max_iters'] = iters
    for i, sched in enumerate(schedulers):
        if sched.get('by_epoch', True):
            raise OptionError(f'--pretrain-iters: param_scheduler.{i} is '
                              'stepped by epoch; give --cfg-options')
        begin = round(sched.get('begin', 0) * iters / steps)
        end = round(sched.get('end', steps) * iters / steps)
        if end <= begin:
            raise OptionError(
                f'--pretrain-iters {iters} leaves param_scheduler.{i} '
                f'({sched["type"]}, steps {sched.get("begin", 0)} to '
                f'{sched.get("end", steps)} of {steps}) no step; give more')
        new = dict(begin=begin, end=end)
        if 'T_max' in sched:
            new['T_max'] = end - begin
        for key, value in new.items():
            if sched.get(key) != value:
                options[f'param_scheduler.{i}.{key}'] = value
    clash = sorted(set(options) & set(given))
    if clash:
        raise OptionError(f'--pretrain-iters sets {", ".join(clash)}; give '
                          'it or those --cfg-options, not both')
    return options


def bf16_warning(configs) -> str:
    """A warning when ``configs`` pre-train in bf16 on a CPU whose oneDNN
    has no native bf16 (AMX or AVX-512 bf16): there it is emulated and
    slower than fp32, so the budget does not hold. Empty otherwise (a GPU,
    fp32 configs, or a CPU that has it)."""
    import torch
    if torch.cuda.is_available() or not any(
            c.optim_wrapper.get('dtype') == 'bfloat16' for c in configs):
        return ''
    try:
        native = torch.ops.mkldnn._is_mkldnn_bf16_supported()
    except (AttributeError, RuntimeError):  # a private probe: assume so
        native = True
    if native:
        return ''
    return ('warning: the pre-training configs run in bf16, which this CPU '
            'has no native support for (no AMX or AVX-512 bf16): it will '
            'be slower than fp32 and the budget will not hold. The 900-step '
            'fp32 configs (configs/*/*_1xb32-900it_scenes.py) are the '
            'alternative; docs/main_job.md, "Twice the steps at the same '
            'cost".')


def check_keys(option: str, config: str, cfg, values: dict) -> None:
    """Raise ``OptionError`` unless every dotted key of ``values`` exists in
    ``cfg`` (list items by index), naming the nearest existing key."""
    import difflib
    cfg = cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg
    for key in values:
        node, path = cfg, []
        for part in key.split('.'):
            if isinstance(node, (list, tuple)) and part.isdigit() and int(
                    part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                keys = list(node) if isinstance(node, dict) else []
                near = difflib.get_close_matches(part, keys, n=1)
                hint = (f'; did you mean {".".join(path + near)}?'
                        if near else '')
                raise OptionError(
                    f'{option}: {key}: {config} has no key '
                    f'{".".join(path + [part])}{hint}')
            path.append(part)


# ----------------------------------------------------------------- resume
# What a score depends on besides its backbone: a kept score's must equal
# this run's. A backbone depends on its method's config and the
# pre-training options (random init: on the PixPro config's backbone).
TASK_SETTINGS = dict(probe=('img_size', 'probe_epochs'),
                     det=('det_options', 'det_config'),
                     seg=('seg_options', 'seg_config'))
TASK_CONFIGS = dict(det=DET_CONFIG, seg=SEG_CONFIG)


def config_digest(path: str) -> str:
    """A digest of the config at ``path`` as mmengine resolves it (its
    ``_base_`` files included): an edit of any of them changes it."""
    from mmengine.config import Config
    text = json.dumps(Config.fromfile(path).to_dict(), sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scene_set(data: str) -> dict:
    """The settings of the scene set under ``data`` (its scenes.json), or,
    where there is none yet, those of the set :func:`make_scenes` writes
    there. Raises ``OptionError`` naming scenes.json when it cannot be
    read as a settings record."""
    from mmpixpro.datasets.generated_scenes import scene_set_settings
    path = osp.join(data, 'scenes.json')
    if not osp.isfile(path):
        return scene_set_settings(seed=0)
    try:
        with open(path) as f:
            recorded = json.load(f)
    except (OSError, ValueError) as e:
        recorded = e
    if not isinstance(recorded, dict):
        raise OptionError(
            f'--data: {path} does not hold the settings of a scene set '
            f'({recorded!r:.120}); rewrite the set with '
            'tools/misc/make_scenes.py --force, or give another folder')
    return recorded


def run_settings(args) -> dict:
    """What ``results.json`` records of this run, and what ``--resume``
    compares: the options, the scene set (its scenes.json), and a digest
    of every config a stage reads."""
    configs = sorted({*METHODS.values(), DET_CONFIG, SEG_CONFIG})
    return dict(
        scenes=scene_set(args.data),
        seeds=args.seeds, tasks=args.tasks, img_size=args.img_size,
        probe_epochs=args.probe_epochs, pretrain_options=args.cfg_options,
        det_options=args.det_options, seg_options=args.seg_options,
        det_config=DET_CONFIG, seg_config=SEG_CONFIG, control=args.control,
        config_digests={c: config_digest(c) for c in configs})


def backbone_config(backbone: str) -> str:
    return METHODS.get(backbone, PIXPRO_CONFIG)


def backbones(control: bool) -> tuple:
    """The backbones a run scores, in the table's order."""
    return BACKBONES + ((CONTROL, ) if control else ())


def result_backbones(results: dict) -> tuple:
    """The backbones of a ``results.json`` record: the control's row only
    where the run scored it."""
    return backbones(any(CONTROL in per_seed
                         for per_seed in results.get('seeds', {}).values()))


def kept_scores(old: dict, settings: dict):
    """The scores of an earlier run's ``results.json`` (``old``) that this
    run keeps: ``({(seed, backbone, task): figures}, reasons)``, for the
    seeds and tasks of ``settings``. A score is kept when it holds figures
    (not an error) and everything it depends on is as in ``settings``
    (the scene set, ``TASK_SETTINGS``, the pre-training options, the
    digests of the configs involved); ``reasons`` says, once per cause,
    which scores run again and why. A run recorded before the scene set
    was (2026-12-07) keeps its scores, with a reason saying so."""
    before = old.get('settings', {})
    digests_then = before.get('config_digests', {})
    digests_now = settings['config_digests']
    kept, reasons = {}, {}
    why_scenes = None
    if 'scenes' not in before:
        reasons['scenes'] = ('the earlier run recorded no scene set; its '
                             'scores are kept as scores on this one')
    else:
        from mmpixpro.datasets.generated_scenes import scene_set_changes
        changes = scene_set_changes(before['scenes'], settings['scenes'])
        if changes:
            why_scenes = 'the scene set differs ({})'.format(', '.join(
                f'{k} {then!r} -> {now!r}' for k, then, now in changes))

    def differs(key):
        if before.get(key) != settings[key]:
            return f'{key} was {before.get(key)!r}, now {settings[key]!r}'

    def config_differs(config):
        if digests_then.get(config) != digests_now[config]:
            return (f'{config} differs from the earlier run\'s' if config in
                    digests_then else
                    f'the earlier run recorded no digest of {config}')

    for seed in settings['seeds']:
        per_seed = old.get('seeds', {}).get(str(seed), {})
        for b in backbones(settings.get('control', False)):
            why_backbone = why_scenes or differs(
                'pretrain_options') or config_differs(backbone_config(b))
            if b == CONTROL:  # trained by the segmentation miniature
                why_backbone = why_backbone or differs(
                    'seg_options') or config_differs(SEG_CONFIG)
            for task in settings['tasks']:
                entry = per_seed.get(b, {}).get(task)
                if not entry or 'error' in entry:
                    continue  # failed or missing: runs again
                if why_backbone:
                    reasons[b, why_backbone] = (
                        f'{b}: {why_backbone}, so every score of it runs '
                        'again')
                    continue
                causes = [differs(k) for k in TASK_SETTINGS[task]]
                if task in TASK_CONFIGS:
                    causes.append(config_differs(TASK_CONFIGS[task]))
                why = next((c for c in causes if c), None)
                if why:
                    reasons[why] = f'{task}: {why}, so its scores run again'
                else:
                    kept[(seed, b, task)] = entry
    return kept, list(reasons.values())


def stage_seed(title: str):
    """The seed a stage title names (``'..., seed 3'``), or None."""
    found = re.search(r'\bseed (\d+)\b', title)
    return int(found.group(1)) if found else None


def kept_seed_files(work: str, seed: int) -> dict:
    """The files an earlier run left for ``seed``, in ``main``'s ``files``
    keys: each backbone's file, each method's work dir and last
    checkpoint, each backbone's fine-tuned detector. A file that is not
    there is left out (and so is its picture)."""
    s = str(seed)
    found = {}

    def add_latest(key, run_dir):
        try:
            found[key] = latest_checkpoint(run_dir)
        except StageFailed:
            pass

    for name in METHODS:
        run_dir = pretrain_dir(work, seed, name)
        found[(s, name, 'work_dir')] = run_dir
        add_latest((s, name, 'checkpoint'), run_dir)
    for b in backbones(True):
        add_latest((s, b, 'det'), detector_dir(work, seed, b))
        path = backbone_file(work, seed, b)
        if osp.isfile(path):
            found[(s, b, 'backbone')] = path
    return found


def backbone_file(work: str, seed: int, backbone: str) -> str:
    return osp.join(work, f'seed{seed}', 'backbones', f'{slug(backbone)}.pth')


def pretrain_dir(work: str, seed: int, method: str) -> str:
    return osp.join(work, f'seed{seed}', slug(method))


def detector_dir(work: str, seed: int, backbone: str) -> str:
    return osp.join(work, f'seed{seed}', 'det', slug(backbone))


def stages_to_run(args, kept: dict, files: dict) -> dict:
    """``{(seed, backbone): (tasks, reuse)}`` for every backbone with a
    score to compute: the tasks not in ``kept``, and whether the backbone
    file of the earlier run is used again (it is when a kept score of the
    same seed came from it) instead of pre-training and extracting anew."""
    todo = {}
    for seed in args.seeds:
        for b in backbones(args.control):
            tasks = [t for t in TASKS
                     if t in args.tasks and (seed, b, t) not in kept]
            if tasks:
                reuse = (str(seed), b, 'backbone') in files and any(
                    (seed, b, t) in kept for t in TASKS)
                todo[(seed, b)] = (tasks, reuse)
    return todo


# ----------------------------------------------------------------- stages
class Stages:
    """Runs the stages in order, each announced with its number and the
    main job's time left, and keeps what each one gave or why it failed."""

    def __init__(self, plan, pretrain_scale=1.):
        self.plan = list(plan)  # kinds, in order
        # The first guesses; pre-training's scaled by its length against
        # the default run's.
        self.expected = dict(EXPECTED_SECONDS)
        self.expected['pretrain'] *= pretrain_scale
        self.done = 0
        self.begin = time.time()
        self.spent_expected = 0.
        self.times = []

    def eta(self) -> float:
        left = sum(self.expected[k] for k in self.plan[self.done:])
        # Rescaled by the speed so far once a few minutes' worth of stages
        # ran (before that, one short stage would swing it).
        if self.spent_expected >= 300:
            left *= (time.time() - self.begin) / self.spent_expected
        return left

    def run(self, kind, title, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``; returns ``(value, None)`` or ``(None,
        message)`` when it raised."""
        elapsed = time.time() - self.begin
        print(f'\n==> [{self.done + 1}/{len(self.plan)}] {title}  '
              f'({elapsed / 60:.1f} min in, about {self.eta() / 60:.0f} '
              'min left)', flush=True)
        tick = time.time()
        try:
            value, error = fn(*args, **kwargs), None
        except Exception as e:  # noqa: BLE001 (reported in the table)
            value, error = None, f'{type(e).__name__}: {e}'
            print(f'FAILED: {title}: {error}', file=sys.stderr, flush=True)
        seconds = time.time() - tick
        self.times.append(dict(stage=title, kind=kind,
                               seconds=round(seconds, 1),
                               ok=error is None))
        print(f'    {title}: {seconds:.0f} s' +
              ('' if error is None else ' (failed)'), flush=True)
        self.spent_expected += self.expected[kind]
        self.done += 1
        return value, error


def run_process(cmd, log_name=None):
    """Run ``cmd`` from the repository root; its output goes to the
    console as it comes (progress bars included). Raises ``StageFailed``
    with the last lines of its error output when it fails."""
    print('$ ' + ' '.join(cmd), flush=True)
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    tail = deque(maxlen=15)
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=subprocess.PIPE,
                            text=True, errors='replace')
    for line in proc.stderr:
        sys.stderr.write(line)
        tail.append(line.rstrip())
    rc = proc.wait()
    if rc != 0:
        last = [t for t in tail if t.strip()][-3:]
        raise StageFailed(f'{osp.basename(cmd[1])} exited with {rc}: ' +
                          ' | '.join(last))


def options_argv(options: dict) -> list:
    """``key=value`` words that mmengine's DictAction reads back as the
    same values."""
    words = []
    for k, v in options.items():
        if isinstance(v, (list, tuple)):
            v = '[' + ','.join(str(x) for x in v) + ']'
        words.append(f'{k}={v}')
    return words


def latest_checkpoint(work_dir: str) -> str:
    found = glob.glob(osp.join(work_dir, 'iter_*.pth')) + glob.glob(
        osp.join(work_dir, 'epoch_*.pth'))
    if not found:
        raise StageFailed(f'no checkpoint in {work_dir}')
    return max(found, key=lambda p: int(p.rsplit('_', 1)[1][:-4]))


def pretrain(config, work_dir, seed, data_root, cfg_options):
    """``tools/train.py config`` on the images under ``data_root``, its data
    workers at the lowest CPU priority (``worker_nice``: the same result,
    sooner on few cores); the final checkpoint's path."""
    options = {'randomness.seed': seed,
               'train_dataloader.dataset.data_root': data_root,
               'train_dataloader.worker_nice': 19,
               **cfg_options}
    run_process([PY, 'tools/train.py', config, '--work-dir', work_dir,
                 '--cfg-options'] + options_argv(options))
    return latest_checkpoint(work_dir)


def extract(checkpoint, out):
    run_process([PY, 'tools/model_converters/extract_backbone_weights.py',
                 checkpoint, out, '--force'])
    return out


def random_backbone(out, seed):
    """The scenes configs' backbone initialised under ``seed`` (the dense
    probe's ``random``), as a backbone file: a draw of the initialisation
    every pre-training starts from, not the same draw (the runner builds the
    whole model, heads included, before it initialises the backbone)."""
    import torch

    from mmpixpro.evaluation import build_backbone
    backbone, _ = build_backbone(PIXPRO_CONFIG, 'random', seed=seed)
    os.makedirs(osp.dirname(out), exist_ok=True)
    torch.save(dict(state_dict=backbone.state_dict()), out)
    return out


def probe(backbone_file, out, args, seed, show_dir):
    run_process([
        PY, 'tools/analysis/dense_probe.py', PIXPRO_CONFIG, backbone_file,
        '--data-root', osp.join(args.data, 'cityscapes'), '--format',
        'cityscapes', '--img-size', str(args.img_size), '--epochs',
        str(args.probe_epochs), '--seed', str(seed), '--out', out,
        '--show-dir', show_dir, '--show', str(args.show)
    ])
    with open(out) as f:
        r = json.load(f)['results'][0]
    return dict(linear_mIoU=r['linear']['mIoU'], knn_mIoU=r['knn']['mIoU'],
                linear_aAcc=r['linear']['aAcc'], knn_aAcc=r['knn']['aAcc'])


def last_metrics(work_dir, key):
    """The last record holding ``key`` in the run's scalar log."""
    paths = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    for path in reversed(paths):
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
        for record in reversed(records):
            if key in record:
                return record
    raise StageFailed(f'no {key} in the logs of {work_dir}')


def finetune(config, backbone_file, work_dir, seed, data_root, options):
    """``train_downstream.py config --pretrained backbone_file`` on the
    scenes under ``data_root`` (the check that every backbone weight arrived
    runs before the first iteration), its data workers at the lowest CPU
    priority (``worker_nice``, as in :func:`pretrain`)."""
    values = {'randomness.seed': seed}
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        values[f'{loader}.dataset.data_root'] = data_root
    for loader in ('train_dataloader', 'val_dataloader'):
        values[f'{loader}.worker_nice'] = 19
    values.update(options)
    run_process([
        PY, 'tools/benchmarks/train_downstream.py', config, '--pretrained',
        backbone_file, '--work-dir', work_dir, '--cfg-options'
    ] + options_argv(values))


def detection(backbone_file, work_dir, seed, args):
    finetune(DET_CONFIG, backbone_file, work_dir, seed,
             osp.join(args.data, 'VOCdevkit') + '/', args.det_options)
    m = last_metrics(work_dir, 'pascal_voc/mAP')
    return dict(AP=100 * m['pascal_voc/mAP'], AP50=100 * m['pascal_voc/AP50'],
                AP75=100 * m['pascal_voc/AP75'])


def segmentation(backbone_file, work_dir, seed, args):
    finetune(SEG_CONFIG, backbone_file, work_dir, seed,
             osp.join(args.data, 'cityscapes') + '/', args.seg_options)
    m = last_metrics(work_dir, 'mIoU')
    return dict(mIoU=m['mIoU'], aAcc=m['aAcc'], mAcc=m['mAcc'])


def control_indices(args) -> list:
    """The labelled train scenes the segmentation fine-tune does not use
    (its ``train_dataloader.dataset.indices``, after ``--seg-options``), by
    their index in mmseg's sorted list. Raises ``StageFailed`` when it uses
    them all."""
    from mmengine.config import Config
    cfg = Config.fromfile(SEG_CONFIG)
    cfg.merge_from_dict(args.seg_options)
    used = cfg.train_dataloader.dataset.get('indices')
    train = osp.join(args.data, 'cityscapes', 'leftImg8bit', 'train')
    total = len(glob.glob(osp.join(train, '**', '*_leftImg8bit.png'),
                          recursive=True))
    if used is None:
        left = []
    elif isinstance(used, int):
        left = list(range(used, total))
    else:
        left = sorted(set(range(total)) - set(used))
    if not left:
        raise StageFailed(
            f'the segmentation fine-tune uses all {total} labelled train '
            f'scenes (indices {used}), so none is left for the control; '
            'give it fewer with --seg-options train_dataloader.dataset.'
            'indices=N')
    return left


def control_backbone(random_file, run_dir, out, seed, args):
    """The positive control: ``random_file`` (the seed's random init)
    trained by the segmentation miniature, as it is and with
    ``--seg-options``, on the labelled scenes its fine-tune does not see
    (:func:`control_indices`), then extracted to ``out``."""
    if not osp.isfile(random_file):
        raise StageFailed(f'no random init file {random_file} to start from')
    options = dict(args.seg_options)
    options['train_dataloader.dataset.indices'] = control_indices(args)
    finetune(SEG_CONFIG, random_file, run_dir, seed,
             osp.join(args.data, 'cityscapes') + '/', options)
    return extract(latest_checkpoint(run_dir), out)


def make_scenes(data):
    from mmpixpro.datasets.generated_scenes import write_scene_datasets
    written = write_scene_datasets(data, seed=0)
    print(f'{len(written["unlabeled"])} unlabeled, '
          f'{len(written["cityscapes"]["train"])} train and '
          f'{len(written["cityscapes"]["val"])} val scenes')


def transfer_check(args, data_root, work_dir, seed):
    """Released recipe -> extraction -> each downstream config's model;
    ``{config: {module: {filled, own_init}}}``. Raises when a tensor that
    the backbone file should fill was not filled."""
    from mmpixpro.evaluation import check_transfer_weights
    run_dir = osp.join(work_dir, 'pixpro_r50')
    run_process([PY, 'tools/train.py', RECIPE_CONFIG, '--work-dir', run_dir,
                 '--cfg-options', f'randomness.seed={seed}',
                 f'train_dataloader.dataset.data_root={data_root}'] +
                RECIPE_SHRUNK)
    backbone = extract(latest_checkpoint(run_dir),
                       osp.join(work_dir, 'pixpro_r50_backbone.pth'))
    results = {}
    for config in TRANSFER_CONFIGS:
        results[config] = check_transfer_weights(config, backbone)
        print(f'{config}: ' + '; '.join(
            f'{name} {m["filled"]} tensors filled'
            for name, m in results[config].items()))
    return results


def transfer_table(results):
    lines = [
        '| downstream config | tensors filled from the backbone file | '
        'new layers |', '|---|---|---|'
    ]
    for config, modules in results.items():
        filled = ', '.join(f'{name} {m["filled"]}'
                           for name, m in modules.items())
        new = ', '.join(
            f'{name}.{k}' for name, m in modules.items()
            for k in sorted({key.split('.')[0] for key in m['own_init']}))
        name = config.replace('configs/benchmarks/', '')
        lines.append(f'| {name} | {filled} | {new or "none"} |')
    return '\n'.join(lines)


# ---------------------------------------------------------------- results
def summarize(results: dict) -> dict:
    """``{backbone: {column key: dict(values, mean, std, n, missing)}}``
    over the seeds of ``results`` (``results['seeds'][seed][backbone]
    [task]`` is a dict of figures, or ``{'error': why}``). ``std`` is the
    sample standard deviation (None for fewer than 2 seeds); ``missing``
    lists ``'seed S: why'`` for every seed without a figure."""
    seeds = results.get('seeds', {})
    summary = {}
    for backbone in result_backbones(results):
        row = summary[backbone] = {}
        for task, key, _ in COLUMNS:
            values, missing = [], []
            for seed, per_seed in sorted(seeds.items(),
                                         key=lambda kv: int(kv[0])):
                entry = per_seed.get(backbone, {}).get(task)
                if entry is None:
                    missing.append(f'seed {seed}: not run')
                elif 'error' in entry:
                    missing.append(f'seed {seed}: {entry["error"]}')
                elif key in entry:
                    values.append(float(entry[key]))
                else:
                    missing.append(f'seed {seed}: no {key}')
            n = len(values)
            mean = sum(values) / n if n else None
            std = (math.sqrt(sum((v - mean)**2 for v in values) / (n - 1))
                   if n >= 2 else None)
            row[f'{task}/{key}'] = dict(values=values, mean=mean, std=std,
                                        n=n, missing=missing)
    return summary


def cell(entry) -> str:
    if entry['n'] == 0:
        why = entry['missing'][0] if entry['missing'] else 'not run'
        failed = 'not run' not in why
        return 'FAILED' if failed else 'not run'
    text = f'{entry["mean"]:.1f}'
    if entry['std'] is not None:
        text += f' ± {entry["std"]:.1f}'
    if entry['missing']:
        text += f' ({len(entry["missing"])} missing)'
    return text


def seed_spread(ours: dict, theirs: dict):
    """The spread two summary entries are compared against: the larger of
    their standard deviations over seeds; None where either has none."""
    if ours['std'] is None or theirs['std'] is None:
        return None
    return max(ours['std'], theirs['std'])


def compare(title: str, name: str, ours: dict, peer: str,
            theirs: dict) -> str:
    """A sentence: ``name``'s mean against ``peer``'s (summary entries),
    and whether the difference is larger than the spread (the larger of
    the two standard deviations over seeds)."""
    if ours['n'] == 0 or theirs['n'] == 0:
        return (f'{title}: {name} against {peer} cannot be compared (a run '
                'is missing or failed).')
    diff = ours['mean'] - theirs['mean']
    word = 'above' if diff > 0 else 'below' if diff < 0 else 'level'
    head = (f'{title}: {name} {ours["mean"]:.1f} against {peer} '
            f'{theirs["mean"]:.1f}, {abs(diff):.1f} points {word}')
    if word == 'level':
        head = f'{title}: {name} and {peer} are level at {ours["mean"]:.1f}'
    spread = seed_spread(ours, theirs)
    if spread is None:
        return head + ('; one seed only, so the spread over seeds is not '
                       'measured and the difference cannot be told from '
                       'seed noise.')
    verdict = ('larger than the spread' if abs(diff) > spread else
               'within the spread: not a difference the seeds support')
    return head + (f'; spread (largest std over '
                   f'{min(ours["n"], theirs["n"])} seeds) {spread:.1f}: '
                   f'{verdict}.')


def comparisons(summary) -> list:
    """One sentence per metric and pair (:func:`compare`): PixPro against
    random init, BYOL and DenseCL; BYOL and DenseCL against random init
    (can the task tell their pre-training from none?); with a control,
    the control against random init, which says whether the task can
    reward a backbone that knows the classes at all."""
    lines = []
    for task, key, title in COLUMNS:
        col = f'{task}/{key}'
        pairs = [('PixPro', peer) for peer in ('random init', 'BYOL',
                                               'DenseCL')]
        pairs += [(method, 'random init') for method in ('BYOL', 'DenseCL')]
        if CONTROL in summary:
            pairs.append((CONTROL, 'random init'))
        for ours, peer in pairs:
            name = 'the control' if ours == CONTROL else ours
            lines.append(compare(title, name, summary[ours][col], peer,
                                 summary[peer][col]))
    return lines


def clears_random_init(ours: dict, theirs: dict) -> bool:
    """Whether ``ours`` (a summary entry) is above random init's by more
    than the spread (the larger std over the seeds, as in
    :func:`compare`); False where either lacks a spread."""
    spread = seed_spread(ours, theirs)
    return spread is not None and ours['mean'] - theirs['mean'] > spread


def pretraining_verdict(summary) -> str:
    """A sentence: on which columns random init stays below every
    pre-trained method (PixPro, BYOL, DenseCL) by more than the spread,
    and which method fails to clear it where it does not. The question a
    protocol that compares methods must answer first: can each task tell
    pre-training from none?"""
    cleared, not_cleared = [], []
    for task, key, title in COLUMNS:
        col = f'{task}/{key}'
        base = summary['random init'][col]
        failing = [m for m in METHODS
                   if not clears_random_init(summary[m][col], base)]
        if failing:
            not_cleared.append(f'{title} ({", ".join(failing)})')
        else:
            cleared.append(title)
    text = ('Random init below every pre-trained method by more than the '
            'spread: ' + (', '.join(cleared) or 'on no column') + '.')
    if not_cleared:
        text += (' Not on: ' + '; '.join(not_cleared) + ', where the '
                 'method named is not above random init by more than the '
                 'spread (or a seed or the spread is missing).')
    return text


def results_markdown(results: dict) -> str:
    summary = summarize(results)
    seeds = sorted(results.get('seeds', {}), key=int)
    head = ('| backbone | ' + ' | '.join(t for _, _, t in COLUMNS) + ' |\n'
            '|---|' + '---:|' * len(COLUMNS))
    rows = [
        f'| {b} | ' + ' | '.join(
            cell(summary[b][f'{task}/{key}']) for task, key, _ in COLUMNS) +
        ' |' for b in summary
    ]
    spread = ('mean ± sample standard deviation over seeds '
              if len(seeds) > 1 else 'one seed, no spread: ')
    text = [
        f'Seeds {", ".join(seeds) or "none"}; {spread}'
        '(figures in %; FAILED: the stage ran and failed, not run: it was '
        'not run):', '', head, *rows, ''
    ]
    failures = [
        f'- {b}, {col}: ' + '; '.join(e['missing'])
        for b in summary for col, e in summary[b].items() if e['missing']
    ]
    if failures:
        text += ['Missing or failed:', ''] + failures + ['']
    text += ['Reading:', ''] + [f'- {s}' for s in comparisons(summary)]
    text += ['', pretraining_verdict(summary)]
    return '\n'.join(text) + '\n'


def write_results(results, work_dir):
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    report = results_markdown(results)
    if results.get('transfer'):
        report += ('\nTransfer check: ' + RECIPE_CONFIG + ' (ResNet-50) for '
                   '2 steps of 2 scenes, extract_backbone_weights.py, then '
                   'every tensor of the pre-trained modules of each '
                   'downstream model compared with the file:\n\n' +
                   transfer_table(results['transfer']) + '\n')
    elif results.get('transfer_error'):
        report += f'\nTransfer check FAILED: {results["transfer_error"]}\n'
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(report)
    return report


# --------------------------------------------------------------- pictures
def draw_pictures(args, results, files, out_dir):
    """Views, propagation, loss curves (seed of the first run), detections
    of every backbone on held-out scenes, and the chart of the table."""
    from mmpixpro.visualization import (draw_loss_curves,
                                        draw_propagation_figure,
                                        draw_views_figure)
    from mmpixpro.visualization.detections import draw_detection_figure
    from mmpixpro.visualization.results_chart import draw_results_chart
    os.makedirs(out_dir, exist_ok=True)
    made, errors = [], []

    def attempt(name, fn, *a, **k):
        try:
            fn(*a, **k)
            made.append(name)
        except Exception as e:  # noqa: BLE001 (a picture must not end the job)
            errors.append(f'{name}: {type(e).__name__}: {e}')
            print(f'picture {name} failed: {e}', file=sys.stderr)

    attempt('chart', draw_results_chart, summarize(results), COLUMNS,
            osp.join(out_dir, 'results_chart.png'))
    seed = str(args.seeds[0])
    val_dir = osp.join(args.data, 'cityscapes', 'leftImg8bit', 'val',
                       'scenes')
    image = osp.join(val_dir, sorted(os.listdir(val_dir))[0])
    attempt('views', draw_views_figure, PIXPRO_CONFIG, image,
            osp.join(out_dir, 'views.png'), seed=args.seeds[0])
    ckpt = files.get((seed, 'PixPro', 'checkpoint'))
    if ckpt:
        attempt('propagation', draw_propagation_figure, PIXPRO_CONFIG, ckpt,
                image, osp.join(out_dir, 'propagation.png'))
    runs = [files[(seed, m, 'work_dir')] for m in METHODS
            if files.get((seed, m, 'checkpoint'))]
    if runs:
        attempt('loss curves', draw_loss_curves, runs, ['loss'],
                osp.join(out_dir, 'loss_curves.png'))
    if 'det' in args.tasks and args.show:
        detectors = {b: files.get((seed, b, 'det'))
                     for b in backbones(args.control)}
        voc = osp.join(args.data, 'VOCdevkit', 'VOC2007')
        attempt('detections', draw_detection_figure, DET_CONFIG, detectors,
                voc, 'test', args.show, osp.join(out_dir, 'detections.png'))
    return made, errors


# ------------------------------------------------------------------- main
def forget_rerun_files(files: dict, todo: dict) -> None:
    """Drop from ``files`` (``kept_seed_files``) the earlier run's
    checkpoint of each method pre-trained again and the detector of each
    backbone whose detection runs again, so that a rerun which fails leaves
    no picture drawn from the files it was to replace."""
    for (seed, b), (tasks, reuse) in todo.items():
        if not reuse:
            files.pop((str(seed), b, 'checkpoint'), None)
        if 'det' in tasks:
            files.pop((str(seed), b, 'det'), None)


def build_plan(args, todo=None):
    """Stage kinds in order. Per seed, random init is scored first, then
    each method is pre-trained, extracted and scored before the next one
    starts, so a run cut short has complete rows for what it reached.
    ``todo`` (``stages_to_run``; every task of every backbone when None)
    leaves out what an earlier run's scores make unneeded."""
    if todo is None:
        todo = stages_to_run(args, {}, {})
    plan = ['scenes']
    for (seed, b), (tasks, reuse) in todo.items():
        if not reuse:
            plan += (['extract'] if b == 'random init' else
                     ['control'] if b == CONTROL else ['pretrain', 'extract'])
        plan += tasks
    plan.append('pictures')
    if not args.no_transfer_check:
        plan.append('transfer')
    return plan


def resume(args, settings, work):
    """``(kept scores, files, earlier stage times)`` of the earlier run in
    ``work`` for ``--resume`` (all empty without it), printing what is
    kept and what runs again."""
    old_file = osp.join(work, 'results.json')
    if not (args.resume and osp.isfile(old_file)):
        return {}, {}, []
    try:
        with open(old_file) as f:
            old = json.load(f)
    except ValueError as e:
        raise OptionError(f'--resume: {old_file} is not a results.json '
                          f'the main job wrote ({e}); move it away, or drop '
                          '--resume to run everything again')
    if not isinstance(old, dict):
        raise OptionError(f'--resume: {old_file} holds no results record')
    kept, reasons = kept_scores(old, settings)
    files = {}
    for seed in args.seeds:
        files.update(kept_seed_files(work, seed))
    for seed in args.seeds:
        names = [f'{b} {t}' for b in backbones(args.control) for t in TASKS
                 if (seed, b, t) in kept]
        print(f'seed {seed}: ' + (
            f'kept from {old_file} (--resume): {", ".join(names)}'
            if names else f'nothing kept from {old_file}'), flush=True)
    for reason in reasons:
        print(f'--resume: {reason}', flush=True)
    return kept, files, old.get('stages', [])


def main(argv=None) -> int:
    args = parse_args(argv)
    os.chdir(REPO)
    begin = time.time()
    work = args.work_dir
    try:
        check_options(args)
        settings = run_settings(args)
        kept, files, old_stages = resume(args, settings, work)
    except OptionError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    todo = stages_to_run(args, kept, files)
    forget_rerun_files(files, todo)
    os.makedirs(work, exist_ok=True)
    stages = Stages(build_plan(args, todo), args.pretrain_scale)
    results = dict(seeds={str(seed): {b: {}
                                      for b in backbones(args.control)}
                          for seed in args.seeds},
                   settings=settings, stages=stages.times)
    for (seed, b, task), figures in kept.items():
        results['seeds'][str(seed)][b][task] = figures

    if osp.isfile(osp.join(args.data, 'scenes.json')):
        stages.run('scenes', f'scenes: using {args.data}', lambda: None)
    else:
        _, error = stages.run('scenes', f'generating scenes in {args.data}',
                              make_scenes, args.data)
        if error:
            print(f'error: no scenes: {error}', file=sys.stderr)
            return 1
    data_root = osp.join(args.data, 'unlabeled')
    titles = dict(probe='dense probe (frozen)', det='fine-tuning detection',
                  seg='fine-tuning segmentation')

    for (seed, b), (tasks, reuse) in todo.items():
        s = str(seed)
        per_seed = results['seeds'][s]
        seed_dir = osp.join(work, f'seed{seed}')
        task_fns = dict(
            probe=lambda f: probe(
                f, osp.join(seed_dir, 'probe', f'{slug(b)}.json'), args, seed,
                osp.join(work, 'pictures', 'probe', f'seed{seed}')),
            det=lambda f: detection(f, detector_dir(work, seed, b), seed,
                                    args),
            seg=lambda f: segmentation(
                f, osp.join(seed_dir, 'seg', slug(b)), seed, args))

        path, error = None, None
        if reuse:
            path = files[(s, b, 'backbone')]
            print(f'{b}, seed {seed}: the backbone file of the kept scores, '
                  f'{path}, is used again', flush=True)
        elif b == 'random init':
            path, error = stages.run(
                'extract', f'random init: the backbone file, seed {seed}',
                random_backbone, backbone_file(work, seed, b), seed)
        elif b == CONTROL:
            path, error = stages.run(
                'control', f'control: random init trained for segmentation '
                f'on the scenes the fine-tune does not use, seed {seed}',
                control_backbone, backbone_file(work, seed, 'random init'),
                osp.join(seed_dir, 'control'), backbone_file(work, seed, b),
                seed, args)
        else:
            run_dir = files[(s, b, 'work_dir')] = pretrain_dir(work, seed, b)
            ckpt, error = stages.run(
                'pretrain', f'pre-training {b}, seed {seed} ({METHODS[b]})',
                pretrain, METHODS[b], run_dir, seed, data_root,
                args.cfg_options)
            if error:
                per_seed[b]['pretrain'] = dict(error=error)
                stages.run('extract', f'extracting {b}: skipped, its '
                           'pre-training failed', lambda: None)
            else:
                files[(s, b, 'checkpoint')] = ckpt
                path, error = stages.run(
                    'extract', f'extracting the {b} backbone, seed {seed}',
                    extract, ckpt, backbone_file(work, seed, b))
        for task in tasks:
            if path is None:
                stages.run(task, f'{titles[task]}: {b}, seed {seed}: '
                           'skipped, no backbone', lambda: None)
                per_seed[b][task] = dict(error=f'no backbone: {error}')
                continue
            value, task_error = stages.run(
                task, f'{titles[task]}: {b}, seed {seed}', task_fns[task],
                path)
            per_seed[b][task] = value if task_error is None else dict(
                error=task_error)
            if task == 'det' and task_error is None:
                files[(s, b, 'det')] = latest_checkpoint(
                    detector_dir(work, seed, b))
            write_results(results, work)

    # The stage times of what was kept stay in the record, marked as kept.
    ran = {t['stage'] for t in stages.times}
    stages.times.extend(
        dict(t, kept=True) for t in old_stages
        if stage_seed(t['stage']) in args.seeds and t['stage'] not in ran)

    _, error = stages.run('pictures', 'pictures', lambda: results.update(
        pictures=draw_pictures(args, results, files,
                               osp.join(work, 'pictures'))))
    write_results(results, work)

    if not args.no_transfer_check:
        transfer, error = stages.run(
            'transfer', f'transfer check: {RECIPE_CONFIG} for 2 steps, '
            'extracted, loaded into each downstream config', transfer_check,
            args, data_root, work, args.seeds[0])
        if error is None:
            results['transfer'] = transfer
            with open(osp.join(work, 'transfer_check.json'), 'w') as f:
                json.dump(transfer, f, indent=1)
        else:
            results['transfer_error'] = error
    results['minutes'] = round((time.time() - begin) / 60, 1)
    report = write_results(results, work)
    print('\n' + report)
    print('stage times: ' + ', '.join(
        f'{t["stage"]} {t["seconds"]:.0f} s' for t in stages.times
        if not t.get('kept')))
    print(f'\nmain job done in {(time.time() - begin) / 60:.1f} min; results '
          f'and pictures in {work}')
    failed = [t['stage'] for t in stages.times
              if not t['ok'] and not t.get('kept')]
    if failed:
        print(f'{len(failed)} stage(s) failed: {failed}', file=sys.stderr)
    return 1 if failed else 0


def slug(backbone: str) -> str:
    """A backbone's name as a file name: 'random_init', 'pixpro',
    'control_supervised'."""
    return re.sub(r'[^a-z0-9]+', '_', backbone.lower()).strip('_')


if __name__ == '__main__':
    sys.exit(main())
