"""Training-step throughput and peak memory: PixPro (ours) against BYOL
(mmpretrain), same backbone (ResNet-50, or with ``--backbone`` ConvNeXt-T
or Swin-T), same batch, same view size, fp32.

What one step is: ``model.train_step(data, optim_wrapper)``, i.e. the data
preprocessor, ``loss()`` on both views (two online and two target passes and
the target update, for both algorithms), backward and a plain
``torch.optim.SGD`` step (the same optimizer for both, so it is not what
differs). PixPro is the model of the user's config
``configs/pixpro/pixpro_r50_8xb128.py`` (its speed levers included;
``--channels-last on|off`` overrides that one), built through the mmpixpro
registry, BYOL from mmpretrain's BYOL ResNet-50 recipe through the
mmpretrain registry; SyncBN is replaced by BN everywhere. With
``--backbone convnext-tiny`` or ``swin-tiny`` PixPro is the model of
``configs/pixpro/pixpro_convnext-tiny_8xb128.py`` or
``pixpro_swin-tiny_8xb128.py``, and BYOL the same recipe on that config's
backbone (its 768-channel map average-pooled into BYOL's MLP). Inputs are
random uint8 views, every sample carries crop boxes (``coord``, which BYOL
ignores).

How: each model runs in its own subprocess, so peak memory is clean (peak RSS
from ``getrusage`` on CPU; ``torch.cuda.max_memory_allocated`` on CUDA). In
each subprocess the first ``--warmup`` steps are dropped and ``--steps`` steps
are timed. The subprocesses alternate over ``--rounds`` rounds (P B, B P, ...)
so that drifting machine load hits both models alike. A timed step during
which other processes used more than 5% of the machine's CPU time (read from
/proc/stat) is dropped, and the table says how many steps were kept. Step
time is the median of the kept steps of a model; the ratio PixPro/BYOL
compares the medians of the same run (per-round ratios are printed too).
Torch threads are left at torch's default and recorded.

Run from the repository root:

    .venv/bin/python speed/bench_train_step.py            # 224 px, batch 4
    .venv/bin/python speed/bench_train_step.py --size 96  # small views
    .venv/bin/python speed/bench_train_step.py --backbone swin-tiny

On a machine with CUDA the same command runs on the GPU (``--device cpu``
forces the CPU); use a realistic batch there, e.g. ``--batch 64``.
Prints a markdown table and writes JSON to ``speed/results/``.
"""
import argparse
import os
import os.path as osp
import resource
import statistics
import sys
import time

from bench_io import (REPO, collect_result, default_device, print_result,
                      write_results)

PIXPRO_MODEL_CFG = osp.join(REPO, 'configs/pixpro/pixpro_r50_8xb128.py')
# --backbone: the PixPro config whose model (and, for BYOL, backbone) runs.
PIXPRO_CONFIGS = {
    'resnet50': PIXPRO_MODEL_CFG,
    'convnext-tiny': osp.join(REPO,
                              'configs/pixpro/pixpro_convnext-tiny_8xb128.py'),
    'swin-tiny': osp.join(REPO, 'configs/pixpro/pixpro_swin-tiny_8xb128.py'),
}
BACKBONE_NAMES = {'resnet50': 'ResNet-50', 'convnext-tiny': 'ConvNeXt-T',
                  'swin-tiny': 'Swin-T'}
# The bare step's preprocessor: normalisation only (the views arrive
# augmented; the user's config augments on the device, docs/data_pipeline.md).
PLAIN_PREPROCESSOR = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=False)
BOXES = [[0.1, 0.1, 0.8, 0.8], [0.7, 0.2, 0.2, 0.9]]  # view 2 is flipped


def _mlp(in_channels, with_avg_pool):
    return dict(
        type='NonLinearNeck',
        in_channels=in_channels,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=with_avg_pool,
        norm_cfg=dict(type='BN1d'))


# mmpretrain's configs/byol/byol_resnet50_16xb256-coslr-200e_in1k.py, with BN.
BYOL_MODEL = dict(
    type='BYOL',
    base_momentum=0.01,
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(3, ),
        norm_cfg=dict(type='BN'),
        zero_init_residual=False),
    neck=_mlp(2048, with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        predictor=_mlp(256, with_avg_pool=False),
        loss=dict(type='CosineSimilarityLoss')))


def foreign_cpu_s():
    """CPU seconds the whole machine has been busy (steal included) minus
    this process's own: what other processes took. Linux only, else 0."""
    try:
        with open('/proc/stat') as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0.
    # user nice system idle iowait irq softirq steal: all but idle, iowait
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]
    own = resource.getrusage(resource.RUSAGE_SELF)
    return busy / os.sysconf('SC_CLK_TCK') - own.ru_utime - own.ru_stime


def clean_steps(run, limit=0.05):
    """The timed steps during which other processes took less than
    ``limit`` of the machine's CPU time (the rest are dropped)."""
    cores = os.cpu_count() or 1
    return [
        t for t, f in zip(run['step_s'], run['foreign_cpu_s'])
        if f < limit * cores * t
    ]


def byol_model(backbone='resnet50'):
    """mmpretrain's BYOL recipe (``BYOL_MODEL``) on the backbone of the
    ``backbone`` PixPro config (ResNet-50: the recipe as it is)."""
    if backbone == 'resnet50':
        return BYOL_MODEL
    import copy

    from mmengine.config import Config

    from mmpixpro.utils import syncbn_to_bn
    model = copy.deepcopy(BYOL_MODEL)
    pixpro = Config.fromfile(PIXPRO_CONFIGS[backbone]).model
    model['backbone'] = syncbn_to_bn(pixpro.backbone.to_dict())
    model['neck'] = _mlp(pixpro.neck.in_channels, with_avg_pool=True)
    return model


def build_model(name, channels_last='config', backbone='resnet50'):
    import mmpixpro  # noqa: F401  (keeps mmpretrain importable; see utils)
    from mmengine.logging import MessageHub

    from mmpixpro.utils import quiet_mmengine, syncbn_to_bn

    # Both momentum schedules read the Runner's max_iters from the hub.
    MessageHub.get_current_instance().update_info('max_iters', 1000)
    if name == 'pixpro':
        from mmengine.config import Config

        from mmpixpro.registry import MODELS
        from mmpixpro.utils import register_all_modules
        register_all_modules()
        cfg = syncbn_to_bn(
            Config.fromfile(PIXPRO_CONFIGS[backbone]).model.to_dict())
        # The bare step: views arrive augmented, so the plain preprocessor
        # (the user's config may augment on the device, docs/speed.md).
        cfg['data_preprocessor'] = PLAIN_PREPROCESSOR
        if channels_last != 'config':
            cfg['channels_last'] = channels_last == 'on'
    else:
        from mmpretrain.registry import MODELS
        from mmpretrain.utils import register_all_modules
        register_all_modules()
        cfg = byol_model(backbone)
    with quiet_mmengine():  # init_weights' log of every parameter
        model = MODELS.build(cfg)
        model.init_weights()
    return model


def worker(args):
    """Build one model, run warm-up and timed steps, print one JSON line."""
    import torch
    from mmengine.optim import OptimWrapper
    from mmpretrain.structures import DataSample

    torch.manual_seed(0)
    device = torch.device(args.device)
    model = build_model(args.worker, args.channels_last,
                        args.backbone).to(device).train()
    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if args.amp:
        from mmengine.optim import AmpOptimWrapper
        optim_wrapper = AmpOptimWrapper(optimizer=sgd)
    else:
        optim_wrapper = OptimWrapper(sgd)
    gen = torch.Generator().manual_seed(0)
    views = [
        torch.randint(0, 256, (args.batch, 3, args.size, args.size),
                      dtype=torch.uint8, generator=gen) for _ in range(2)
    ]
    samples = [DataSample() for _ in range(args.batch)]
    for sample in samples:
        sample.set_field(torch.tensor(BOXES), 'coord')
    data = dict(inputs=views, data_samples=samples)

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    rss_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    times, foreign = [], []
    for i in range(args.warmup + args.steps):
        sync()
        cpu0, start = foreign_cpu_s(), time.perf_counter()
        log_vars = model.train_step(data, optim_wrapper)
        sync()
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
            foreign.append(foreign_cpu_s() - cpu0)
    loss = float(torch.as_tensor(log_vars['loss']).detach())
    if not loss == loss:  # NaN
        raise RuntimeError(f'{args.worker}: loss is NaN')
    result = dict(
        model=args.worker,
        step_s=times,
        foreign_cpu_s=foreign,
        params_m=sum(p.numel() for p in model.parameters()) / 1e6,
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        rss_after_build_mib=rss_build,
        torch_threads=torch.get_num_threads())
    if device.type == 'cuda':
        result['peak_cuda_mib'] = torch.cuda.max_memory_allocated(
            device) / 2**20
    print_result(result)


def run_worker(name, args):
    cmd = [
        sys.executable,
        osp.abspath(__file__), '--worker', name, '--device', args.device,
        '--size',
        str(args.size), '--batch',
        str(args.batch), '--warmup',
        str(args.warmup), '--steps',
        str(args.steps), '--channels-last', args.channels_last,
        '--backbone', args.backbone
    ] + (['--amp'] if args.amp else [])
    return collect_result(cmd, f'{name} worker')


def main(args):
    import torch
    runs = dict(pixpro=[], byol=[])
    wall = time.perf_counter()
    for r in range(args.rounds):
        order = ('pixpro', 'byol') if r % 2 == 0 else ('byol', 'pixpro')
        for name in order:
            runs[name].append(run_worker(name, args))
            print(f'round {r + 1}/{args.rounds} {name}: step '
                  f'{statistics.median(runs[name][-1]["step_s"]):.3f} s',
                  file=sys.stderr, flush=True)

    mem_key = 'peak_cuda_mib' if args.device.startswith('cuda') else \
        'peak_rss_mib'
    summary = {}
    for name, rs in runs.items():
        times = [t for r in rs for t in clean_steps(r)]
        total = sum(len(r['step_s']) for r in rs)
        if len(times) < total / 2:
            print(f'WARNING: {name}: only {len(times)}/{total} steps ran on '
                  'a quiet machine; rerun when it is idle.', file=sys.stderr)
        times = times or [t for r in rs for t in r['step_s']]
        med = statistics.median(times)
        summary[name] = dict(
            step_s_median=med,
            step_s_min=min(times),
            pairs_per_s=args.batch / med,
            steps_kept=f'{len(times)}/{total}',
            peak_mem_mib=max(r[mem_key] for r in rs),
            rss_after_build_mib=max(r['rss_after_build_mib'] for r in rs),
            params_m=rs[0]['params_m'])
    ratio = summary['pixpro']['step_s_median'] / \
        summary['byol']['step_s_median']
    # Per round, the quiet steps; all of them when none ran quiet (as the
    # medians above do), so a busy machine still gives the spread.
    round_ratios = [
        statistics.median(clean_steps(p) or p['step_s']) /
        statistics.median(clean_steps(b) or b['step_s'])
        for p, b in zip(runs['pixpro'], runs['byol'])
    ] or [float('nan')]
    device_name = (torch.cuda.get_device_name(args.device)
                   if args.device.startswith('cuda') else 'cpu')
    threads = runs['pixpro'][0]['torch_threads']
    mem_name = ('peak CUDA allocated' if mem_key == 'peak_cuda_mib' else
                'peak RSS')

    print(f'\nTraining step, {BACKBONE_NAMES[args.backbone]}, batch '
          f'{args.batch}, {args.size} px '
          f'views, {"AMP fp16" if args.amp else "fp32"}, PixPro channels_last '
          f'{args.channels_last}, {device_name}, torch {torch.__version__}, '
          f'{threads} torch threads; {args.rounds} rounds x {args.steps} '
          f'timed steps per model (after {args.warmup} warm-up)\n')
    print(f'| model | step median (s) | step min (s) | pairs/s | '
          f'{mem_name} (MiB) | params (M) | steps kept |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for name, label in (('pixpro', 'PixPro (mmpixpro)'),
                        ('byol', 'BYOL (mmpretrain)')):
        s = summary[name]
        print(f'| {label} | {s["step_s_median"]:.3f} | {s["step_s_min"]:.3f} '
              f'| {s["pairs_per_s"]:.2f} | {s["peak_mem_mib"]:.0f} | '
              f'{s["params_m"]:.1f} | {s["steps_kept"]} |')
    print(f'\nPixPro / BYOL step time: {ratio:.3f} (per round: median '
          f'{statistics.median(round_ratios):.3f}, range '
          f'{min(round_ratios):.3f}-{max(round_ratios):.3f}); total wall '
          f'{time.perf_counter() - wall:.0f} s')

    kind = '' if args.backbone == 'resnet50' else f'{args.backbone}_'
    write_results(
        f'train_step_{kind}{args.device.split(":")[0]}_{args.size}px_'
        f'b{args.batch}_cl-{args.channels_last}.json',
        dict(config=vars(args), device=device_name, torch=torch.__version__,
             torch_threads=threads, memory=mem_name, summary=summary,
             ratio_pixpro_over_byol=ratio, round_ratios=round_ratios,
             runs=runs))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, default=224, help='view size')
    parser.add_argument('--batch', type=int, default=4, help='image pairs')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--steps', type=int, default=3, help='timed steps')
    parser.add_argument('--rounds', type=int, default=8)
    parser.add_argument('--amp', action='store_true',
                        help='fp16 autocast with loss scaling (GPU)')
    parser.add_argument('--channels-last', choices=['config', 'on', 'off'],
                        default='config', help="PixPro's memory format: "
                        "the user config's (on), or forced")
    parser.add_argument('--backbone', choices=list(PIXPRO_CONFIGS),
                        default='resnet50', help="both models' backbone: "
                        "that of the PixPro config for it")
    parser.add_argument('--device', default=None, help='default: cuda if '
                        'available, else cpu')
    parser.add_argument('--worker', choices=['pixpro', 'byol'],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.device = args.device or default_device()
    return args


if __name__ == '__main__':
    args = parse_args()
    worker(args) if args.worker else main(args)
