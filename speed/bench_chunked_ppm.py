"""Chunked against direct PPM and pixel loss: step time and peak memory at
growing feature maps (7x7 is C5 at 224 px; 28x28 and 56x56 are the finer
FPN levels).

What one step is: both directions of PixPro's pixel loss on one batch, as in
``PixPro.loss`` (``head.loss(online_1, target_2) + head.loss(online_2,
target_1)``: PPM, box mask, masked cosine), forward and backward. The inputs
are random (N, C, S, S) projections; view 2 is flipped and overlaps view 1.
"direct" is ``chunk_size=None``; a number sets both the head's and the PPM's
``chunk_size`` (rows of the similarity and of the mask per block).

Memory, each case in its own subprocess:
- saved for backward: bytes of the distinct storages autograd keeps between
  forward and backward (``torch.autograd.graph.saved_tensors_hooks``, on
  the warm-up step): what the method holds while the rest of a network runs.
- peak: the growth of the process's peak RSS over the steps (``getrusage``,
  against the RSS before the first step; the subprocess runs with
  ``MALLOC_MMAP_THRESHOLD_=65536`` so that freed tensors go back to the OS
  and the RSS follows the live tensors), or on CUDA
  ``torch.cuda.max_memory_allocated`` above what was allocated before the
  first step. Includes the transient (N, chunk, HW) blocks and the
  recomputation in backward.
Time: median and min of the timed steps (at least ``--steps`` and 1 s)
after ``--warmup`` steps (the first one hooked); the ratio is chunked /
direct of the min at the same size (the min is the least disturbed by other
processes). On a CPU shared with other work, ``--threads 1`` is steadier.

Run from the repository root:

    .venv/bin/python speed/bench_chunked_ppm.py    # CPU, about a minute
    .venv/bin/python speed/bench_chunked_ppm.py --device cuda \\
        --batch 64 --chunks 256 512 1024

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

BOXES = [[0.1, 0.1, 0.8, 0.8], [0.7, 0.2, 0.2, 0.9]]  # view 2 is flipped


def current_rss_mib():
    """Resident set size now (Linux), else the peak so far."""
    try:
        with open('/proc/self/statm') as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf('SC_PAGE_SIZE') / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(args):
    """Run one case (size, chunk), print one JSON line."""
    import torch

    from mmpixpro.models import PixProHead
    from mmpixpro.utils import saved_tensor_bytes

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    chunk = None if args.chunk == 'direct' else int(args.chunk)
    head = PixProHead(
        predictor=dict(type='PPM', channels=args.channels, chunk_size=chunk),
        chunk_size=chunk).to(device).train()
    shape = (args.batch, args.channels, args.size, args.size)
    gen = torch.Generator().manual_seed(0)
    online = [
        torch.randn(shape, generator=gen).to(device).requires_grad_(True)
        for _ in range(2)
    ]
    target = [torch.randn(shape, generator=gen).to(device) for _ in range(2)]
    boxes = torch.tensor(BOXES, device=device)[:, None].expand(
        -1, args.batch, -1)

    def step():
        loss = (head.loss(online[0], target[1], boxes[0], boxes[1]) +
                head.loss(online[1], target[0], boxes[1], boxes[0]))
        loss.backward()
        for t in online + list(head.parameters()):
            t.grad = None
        return loss.detach()

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    rss_before = current_rss_mib()
    if device.type == 'cuda':
        sync()
        cuda_before = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)

    loss, saved = saved_tensor_bytes(step)  # the first warm-up step
    loss = float(loss)
    for _ in range(args.warmup - 1):
        step()
    times = []  # at least --steps steps and 1 s, at most 100 steps
    while len(times) < args.steps or (sum(times) < 1 and len(times) < 100):
        sync()
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    result = dict(
        size=args.size,
        chunk=args.chunk,
        loss=loss,
        step_s=times,
        saved_mib=saved / 2**20,
        peak_rss_growth_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        / 1024 - rss_before,
        torch_threads=torch.get_num_threads())
    if device.type == 'cuda':
        result['peak_cuda_mib'] = (torch.cuda.max_memory_allocated(device) -
                                   cuda_before) / 2**20
    print_result(result)


def run_worker(size, chunk, args):
    cmd = [
        sys.executable,
        osp.abspath(__file__), '--worker', '--device', args.device,
        '--size', str(size), '--chunk', str(chunk), '--batch',
        str(args.batch), '--channels', str(args.channels), '--steps',
        str(args.steps), '--warmup', str(args.warmup), '--threads',
        str(args.threads)
    ]
    # Every allocation above 64 KiB gets its own mmap and goes back to the
    # OS when freed (glibc otherwise raises that threshold as it goes and
    # keeps freed blocks), so peak RSS follows the live tensors.
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    return collect_result(cmd, f'size {size} chunk {chunk}', env)


def main(args):
    import torch
    wall = time.perf_counter()
    runs = []
    for size in args.sizes:
        for chunk in ['direct'] + [str(c) for c in args.chunks]:
            runs.append(run_worker(size, chunk, args))
            r = runs[-1]
            print(f'{size}x{size} {chunk}: step '
                  f'{statistics.median(r["step_s"]):.3f} s, saved '
                  f'{r["saved_mib"]:.1f} MiB', file=sys.stderr, flush=True)

    cuda = args.device.startswith('cuda')
    peak_key = 'peak_cuda_mib' if cuda else 'peak_rss_growth_mib'
    peak_name = 'peak CUDA alloc.' if cuda else 'peak RSS growth'
    rows = []
    for r in runs:
        base = next(d for d in runs
                    if d['size'] == r['size'] and d['chunk'] == 'direct')
        med = statistics.median(r['step_s'])
        rows.append(
            dict(
                r,
                step_s_median=med,
                step_s_min=min(r['step_s']),
                time_ratio=min(r['step_s']) / min(base['step_s']),
                saved_ratio=r['saved_mib'] / base['saved_mib'],
                peak_mib=r[peak_key],
                peak_ratio=r[peak_key] / max(base[peak_key], 1e-9),
                loss_diff=abs(r['loss'] - base['loss'])))

    device_name = torch.cuda.get_device_name(args.device) if cuda else 'cpu'
    print(f'\nPixel loss, both directions, forward + backward; batch '
          f'{args.batch}, {args.channels} channels, fp32, {device_name}, '
          f'torch {torch.__version__}, {runs[0]["torch_threads"]} torch '
          f'threads; {args.warmup} warm-up steps, then at least {args.steps} '
          'timed steps and 1 s per case\n')
    print(f'| map | chunk_size | step median (s) | step min (s) | min / '
          f'direct | saved for backward (MiB) | saved / direct | '
          f'{peak_name} (MiB) | peak / direct | loss diff |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for r in rows:
        print(f'| {r["size"]}x{r["size"]} | {r["chunk"]} | '
              f'{r["step_s_median"]:.3f} | {r["step_s_min"]:.3f} | '
              f'{r["time_ratio"]:.2f} | {r["saved_mib"]:.1f} | '
              f'{r["saved_ratio"]:.3f} | {r["peak_mib"]:.0f} | '
              f'{r["peak_ratio"]:.2f} | {r["loss_diff"]:.1e} |')
    print(f'\ntotal wall {time.perf_counter() - wall:.0f} s')

    write_results(
        f'chunked_ppm_{args.device.split(":")[0]}_b{args.batch}_'
        f'c{args.channels}.json',
        dict(config=vars(args), device=device_name, torch=torch.__version__,
             memory=peak_name, rows=rows))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch', type=int, default=1, help='image pairs')
    parser.add_argument('--channels', type=int, default=256)
    parser.add_argument('--sizes', type=int, nargs='+', default=[7, 28, 56],
                        help='feature map sides')
    parser.add_argument('--chunks', type=int, nargs='+', default=[256, 512],
                        help='chunk sizes compared with direct')
    parser.add_argument('--steps', type=int, default=2,
                        help='timed steps (at least; small cases run 1 s)')
    parser.add_argument('--warmup', type=int, default=2,
                        help='warm-up steps (>= 1; the first is hooked)')
    parser.add_argument('--threads', type=int, default=0,
                        help='torch threads (0: torch\'s default); 1 is '
                        'steadier on a shared CPU')
    parser.add_argument('--device', default=None, help='default: cuda if '
                        'available, else cpu')
    parser.add_argument('--worker', action='store_true',
                        help=argparse.SUPPRESS)
    parser.add_argument('--size', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--chunk', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warmup < 1:
        parser.error('--warmup must be >= 1')
    args.device = args.device or default_device()
    return args


if __name__ == '__main__':
    args = parse_args()
    worker(args) if args.worker else main(args)
