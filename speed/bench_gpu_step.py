"""The PixPro training step on one GPU against the network-pass bound and
mmpretrain's BYOL, with each speed lever on and off. One command:

    .venv/bin/python speed/bench_gpu_step.py

What is measured, all in this one process, one case after the other:

- **PixPro step**: ``model.train_step(data, optim_wrapper)`` of the model of
  ``configs/pixpro/pixpro_r50_8xb128.py`` (SyncBN as BN, one GPU): data
  preprocessor, two online and two target passes, target update, PPM, loss,
  backward, ``PixProLARS`` step. fp16 runs under ``AmpOptimWrapper`` (loss
  scaling, the recipe's), bf16 under ``AutocastOptimWrapper`` (none).
- **BYOL step**: mmpretrain's BYOL ResNet-50 recipe model, the same
  levers, the same optimizer and wrapper (so the optimizer is not what
  differs).
- **bound**: the same ResNet-50 (two copies, online and target) doing two
  forward+backward passes and two forward passes under the same autocast
  dtype and memory format, and nothing else: no projector, predictor, loss,
  optimizer or target update. What a BYOL-type step cannot beat.

Cases: batch 64 and 128, fp16 and bf16, channels_last off and on; then
``torch.compile`` of the encoders (PixPro's ``compile_encoder``, BYOL's and
the bound's ResNets compiled the same way) at batch 128 with channels_last.
Inputs are random uint8 views already on the GPU (no data loading), every
sample with fixed crop boxes. Each case: ``--warmup`` steps dropped (they
include compilation), ``--steps`` timed with ``torch.cuda.synchronize``;
median step time; peak ``torch.cuda.max_memory_allocated`` per case.

``--budget-s`` (default 420) bounds the whole run: cases that would start
after it are skipped and listed, so the command fits a time-limited machine.
Prints a markdown table and writes JSON to ``speed/results/``.
On the CPU (``--device cpu``, for checking the script) fp16 runs under
``AutocastOptimWrapper`` too; use a small ``--size`` there.
"""
import argparse
import statistics
import sys
import time

from bench_io import REPO, default_device, write_results
from bench_train_step import BYOL_MODEL, PLAIN_PREPROCESSOR

PIXPRO_CFG = f'{REPO}/configs/pixpro/pixpro_r50_8xb128.py'
BOXES = [[0.1, 0.1, 0.8, 0.8], [0.7, 0.2, 0.2, 0.9]]  # view 2 is flipped


def build(kind, channels_last, compile_):
    """The model of one case (on the CPU; the caller moves it)."""
    import torch
    from mmengine.config import Config
    from mmengine.logging import MessageHub

    MessageHub.get_current_instance().update_info('max_iters', 10000)
    from mmengine.registry import DefaultScope
    if kind == 'pixpro':
        from mmpixpro.registry import MODELS
        from mmpixpro.utils import syncbn_to_bn
        cfg = syncbn_to_bn(Config.fromfile(PIXPRO_CFG).model.to_dict())
        cfg.update(channels_last=channels_last, compile_encoder=compile_)
        # The bare step: views arrive augmented (plain preprocessor).
        cfg['data_preprocessor'] = PLAIN_PREPROCESSOR
        with DefaultScope.overwrite_default_scope('mmpixpro'):
            model = MODELS.build(cfg)
        model.init_weights()
        return model
    if kind == 'byol':
        from mmpretrain.registry import MODELS
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            model = MODELS.build(BYOL_MODEL)
        model.init_weights()
        if compile_:
            model.backbone.compile()
            model.target_net.module[0].compile()
    else:  # the bound: two ResNet-50s
        from mmpretrain.models import ResNet
        model = torch.nn.ModuleDict(
            dict(online=ResNet(depth=50, out_indices=(3, ),
                               zero_init_residual=True),
                 target=ResNet(depth=50, out_indices=(3, ),
                               zero_init_residual=True)))
        model['target'].requires_grad_(False)
        if compile_:
            model['online'].compile()
            model['target'].compile()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def run_case(args, kind, batch, precision, channels_last, compile_):
    import torch
    from mmengine.optim import AmpOptimWrapper
    from mmpretrain.structures import DataSample

    from mmpixpro.engine import AutocastOptimWrapper, PixProLARS

    device = torch.device(args.device)
    torch.manual_seed(0)
    model = build(kind, channels_last, compile_).to(device).train()
    dtype = dict(fp16=torch.float16, bf16=torch.bfloat16)[precision]
    gen = torch.Generator().manual_seed(0)
    views = [
        torch.randint(0, 256, (batch, 3, args.size, args.size),
                      dtype=torch.uint8, generator=gen).to(device)
        for _ in range(2)
    ]
    if kind == 'bound':
        memory_format = (torch.channels_last
                         if channels_last else torch.contiguous_format)
        inputs = [(v.float() / 255).contiguous(memory_format=memory_format)
                  for v in views]

        def step():
            with torch.autocast(device.type, dtype=dtype):
                loss = sum(model['online'](v)[-1].float().mean()
                           for v in inputs)
            loss.backward()
            with torch.no_grad(), torch.autocast(device.type, dtype=dtype):
                for v in inputs:
                    model['target'](v)
    else:
        optimizer = PixProLARS(model.parameters(), lr=0.01, momentum=0.9,
                               weight_decay=1e-5)
        if precision == 'fp16' and device.type == 'cuda':
            wrapper = AmpOptimWrapper(optimizer=optimizer)
        else:
            wrapper = AutocastOptimWrapper(optimizer=optimizer,
                                           dtype=dtype)
        samples = [DataSample() for _ in range(batch)]
        for sample in samples:
            sample.set_field(torch.tensor(BOXES), 'coord')
        data = dict(inputs=views, data_samples=samples)

        def step():
            model.train_step(data, wrapper)

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    if device.type == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    times = []
    for i in range(args.warmup + args.steps):
        sync()
        start = time.perf_counter()
        step()
        sync()
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
    med = statistics.median(times)
    result = dict(kind=kind, batch=batch, precision=precision,
                  channels_last=channels_last, compile=compile_,
                  step_s_median=med, step_s_min=min(times),
                  pairs_per_s=batch / med, step_s=times)
    if device.type == 'cuda':
        result['peak_mib'] = torch.cuda.max_memory_allocated(device) / 2**20
    del model
    return result


def cases(args):
    """(kind, batch, precision, channels_last, compile) in run order: the
    plain grid first, then compile; each setting as bound, PixPro, BYOL."""
    out = []
    for batch in args.batches:
        for precision in args.precisions:
            for channels_last in (False, True):
                for kind in ('bound', 'pixpro', 'byol'):
                    out.append((kind, batch, precision, channels_last, False))
    if not args.no_compile:
        for precision in args.precisions:
            for kind in ('bound', 'pixpro', 'byol'):
                out.append((kind, max(args.batches), precision, True, True))
    return out


def main(args):
    import torch

    import mmpixpro  # noqa: F401  (keeps mmpretrain importable)
    from mmpretrain.utils import register_all_modules as mmpretrain_modules

    from mmpixpro.utils import quiet_mmengine, register_all_modules
    register_all_modules(init_default_scope=False)
    mmpretrain_modules(init_default_scope=False)
    torch.backends.cudnn.benchmark = True
    wall = time.perf_counter()
    results, skipped = [], []
    with quiet_mmengine():  # init_weights' log of every parameter
        for case in cases(args):
            if time.perf_counter() - wall > args.budget_s:
                skipped.append(case)
                continue
            try:
                results.append(run_case(args, *case))
            except Exception as e:  # noqa: BLE001 (one case must not end all)
                print(f'case {case} failed: {type(e).__name__}: {e}',
                      file=sys.stderr)
                skipped.append(case)
                continue
            r = results[-1]
            print(f'{r["kind"]:6s} b{r["batch"]} {r["precision"]} '
                  f'cl={int(r["channels_last"])} '
                  f'compile={int(r["compile"])}: '
                  f'{r["pairs_per_s"]:.0f} pairs/s', file=sys.stderr,
                  flush=True)

    def find(kind, r):
        for o in results:
            if o['kind'] == kind and all(
                    o[k] == r[k]
                    for k in ('batch', 'precision', 'channels_last',
                              'compile')):
                return o
        return None

    device_name = (torch.cuda.get_device_name(args.device)
                   if args.device.startswith('cuda') else 'cpu')
    print(f'\nPixPro step on {device_name}, torch {torch.__version__}, '
          f'{args.size} px views, ResNet-50; {args.steps} timed steps after '
          f'{args.warmup} warm-up; total wall '
          f'{time.perf_counter() - wall:.0f} s\n')
    print('| batch | precision | channels_last | compile | bound pairs/s | '
          'PixPro pairs/s | PixPro / bound | BYOL pairs/s | PixPro / BYOL '
          '(speed) | PixPro peak MiB |')
    print('|---:|---|---|---|---:|---:|---:|---:|---:|---:|')
    for r in results:
        if r['kind'] != 'pixpro':
            continue
        bound, byol = find('bound', r), find('byol', r)
        print(f'| {r["batch"]} | {r["precision"]} | '
              f'{"on" if r["channels_last"] else "off"} | '
              f'{"on" if r["compile"] else "off"} | '
              f'{bound["pairs_per_s"] if bound else float("nan"):.0f} | '
              f'{r["pairs_per_s"]:.0f} | '
              f'{r["pairs_per_s"] / bound["pairs_per_s"] if bound else float("nan"):.2f} | '
              f'{byol["pairs_per_s"] if byol else float("nan"):.0f} | '
              f'{r["pairs_per_s"] / byol["pairs_per_s"] if byol else float("nan"):.2f} | '
              f'{r.get("peak_mib", float("nan")):.0f} |')
    if skipped:
        print(f'\nskipped (time budget or failure): {skipped}')
    write_results(f'gpu_step_{args.device.split(":")[0]}_{args.size}px.json',
                  dict(config=vars(args), device=device_name,
                       torch=torch.__version__, results=results,
                       skipped=skipped))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--batches', type=int, nargs='+', default=[64, 128])
    parser.add_argument('--precisions', nargs='+', default=['fp16', 'bf16'],
                        choices=['fp16', 'bf16'])
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--steps', type=int, default=15)
    parser.add_argument('--no-compile', action='store_true')
    parser.add_argument('--budget-s', type=float, default=420)
    parser.add_argument('--device', default=None,
                        help='default: cuda if available, else cpu')
    args = parser.parse_args()
    args.device = args.device or default_device()
    return args


if __name__ == '__main__':
    main(parse_args())
