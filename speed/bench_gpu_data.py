"""End to end on one GPU: does the data keep up with the training step?

What: the user's command, ``tools/dist_train.sh CONFIG 1``, on generated
ImageNet-sized JPEGs (500x375 and 375x500, quality 90), for the fast path
(``configs/pixpro/pixpro_r50_8xb128.py``: photometric ops in
``PhotometricDataPreprocessor`` on the GPU) and the PIL path
(``configs/pixpro/pixpro_r50_8xb128-pilaug.py``), each with as many
dataloader workers as the machine has cores (``--workers``). Per run:

- iteration time: wall time per training iteration (``DataBenchHook``),
  median after the first ``--skip`` iterations;
- the bare step: once training ends, the same model, DDP wrapper and
  optimizer repeat ``train_step`` on the last batch, already in host memory
  (the preprocessor and its transfers included, the workers not);
- the preprocessor alone on that batch (training mode: transfer, the
  photometric ops, normalisation; and normalisation only), as a fraction of
  the bare step;
- JPEG decodes per second of the same files: PIL and simplejpeg on one CPU
  core, and ``torchvision.io.decode_jpeg`` on the GPU (nvjpeg), batched.

Target: the fast path's iteration time within 10% of its bare
step. All figures of one call come from the same GPU in the same run.

Run on a GPU machine from the repository root, one command (about 4 minutes
on an 8-core+ machine with one GPU):

    .venv/bin/python speed/bench_gpu_data.py

A CPU smoke run of the plumbing (the small config's ResNet-18, a few images,
no speed meaning): ``.venv/bin/python speed/bench_gpu_data.py --smoke``.
Prints a markdown table and writes JSON to ``speed/results/``.
"""
import argparse
import json
import multiprocessing
import os
import os.path as osp
import statistics
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

from bench_io import REPO, write_results

CONFIGS = dict(
    fast='configs/pixpro/pixpro_r50_8xb128.py',
    pil='configs/pixpro/pixpro_r50_8xb128-pilaug.py')
SMOKE_CONFIG = 'configs/pixpro/pixpro_resnet18-w16_1xb16-4e.py'


def _write_one(job):
    path, i, seed = job
    from mmpixpro.datasets.generated_scenes import generate_scene
    rng = np.random.default_rng(seed + i)
    h, w = (375, 500) if i % 2 == 0 else (500, 375)
    img = generate_scene(rng, (h, w)).image + rng.normal(0, 20, (h, w, 3))
    Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(path, quality=90)


def write_jpegs(folder, num, workers):
    os.makedirs(folder, exist_ok=True)
    jobs = [(osp.join(folder, f'img_{i:05d}.jpg'), i, 0) for i in range(num)]
    with multiprocessing.Pool(workers) as pool:
        pool.map(_write_one, jobs, chunksize=16)


def run_config(name, config, data, work, args):
    out = osp.join(work, f'{name}.json')
    child = osp.join(work, f'{name}_cfg.py')
    smoke = args.smoke
    # The small config is the fast path; the smoke run's PIL path gives it
    # both halves of the PIL data base, as pixpro_r50_8xb128-pilaug.py takes.
    pil_smoke = smoke and name == 'pil'
    pipeline = ''
    if pil_smoke:
        from mmengine.config import Config
        pil = Config.fromfile(osp.join(REPO, PIL_DATA_CFG)).to_dict()
        pipeline = f", pipeline={pil['train_pipeline']!r}"
    with open(child, 'w') as f:
        f.write(f'''_base_ = {osp.join(REPO, config)!r}
custom_imports = dict(imports=['speed.gpu_data_hooks'],
                      allow_failed_imports=False)
custom_hooks = [dict(type='DataBenchHook', out={out!r},
                     bare_steps={args.bare_steps})]
train_dataloader = dict(
    batch_size={args.batch}, num_workers={args.workers},
    persistent_workers=True, pin_memory={not smoke},
    dataset=dict(data_root={data!r}, data_prefix=''{pipeline}))
train_cfg = dict(max_epochs={args.epochs})
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=1000))
''')
        if pil_smoke:
            f.write('model = dict(data_preprocessor=dict(_delete_=True, '
                    f"**{pil['data_preprocessor']!r}))\n")
    # The hooks are part of the measurement, not of the package: the
    # training process imports them as speed.gpu_data_hooks, from the
    # repository root that tools/dist_train.sh puts on its path.
    env = dict(os.environ, PYTHON=sys.executable,
               PORT=str(29500 + (os.getpid() % 1000)))
    cmd = ['bash', 'tools/dist_train.sh', child, '1', '--work-dir',
           osp.join(work, name)]
    print('$', ' '.join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                          text=True)
    if proc.returncode or not osp.exists(out):
        sys.exit(f'{name} failed:\n{proc.stdout[-4000:]}\n'
                 f'{proc.stderr[-4000:]}')
    with open(out) as f:
        return json.load(f)


PIL_DATA_CFG = 'configs/_base_/datasets/imagenet_pixpro_pil.py'


def decode_rates(paths, device, batch=128, repeats=3):
    """JPEG decodes per second of the same files: PIL and simplejpeg on one
    CPU core (what one worker does), and ``torchvision.io.decode_jpeg`` on
    ``device`` (nvjpeg on a GPU), in batches of ``batch`` files; the
    fastest of ``repeats`` passes each."""
    import io
    import time

    import torch
    from PIL import Image
    from torchvision.io import decode_jpeg
    blobs = []
    for path in paths:
        with open(path, 'rb') as f:
            blobs.append(f.read())

    def best(fn):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return len(blobs) / min(times)

    def pil():  # from the same bytes in memory as the others
        for data in blobs:
            with Image.open(io.BytesIO(data)) as img:
                img.convert('RGB')

    def turbo():
        import simplejpeg
        for data in blobs:
            simplejpeg.decode_jpeg(data, colorspace='RGB')

    tensors = [torch.frombuffer(bytearray(b), dtype=torch.uint8)
               for b in blobs]

    def torchvision_batches():
        for i in range(0, len(tensors), batch):
            decode_jpeg(tensors[i:i + batch], device=device)
        if device.startswith('cuda'):
            torch.cuda.synchronize()

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rates = dict(pil_1_core=best(pil), simplejpeg_1_core=best(turbo))
    finally:
        torch.set_num_threads(threads)
    torchvision_batches()  # warm-up (nvjpeg's handles)
    rates[f'decode_jpeg_{device}'] = best(torchvision_batches)
    return rates


def summarise(name, r, skip):
    times = r['iter_times'][skip:] or r['iter_times']
    it = statistics.median(times)
    bare = r['bare_step_s']
    return dict(
        path=name, iteration_s=it, iteration_min_max=(min(times), max(times)),
        bare_step_s=bare, iteration_over_bare=it / bare,
        pairs_per_s=r['batch_pairs'] / it,
        preprocessor_train_s=r['preprocessor_train'],
        preprocessor_normalise_only_s=r['preprocessor_normalise_only'],
        preprocessor_share_of_step=r['preprocessor_train'] / bare,
        preprocessor=r['preprocessor'], device=r['device'],
        iterations_timed=len(times))


def main(args):
    if args.smoke:
        args.batch, args.workers, args.epochs = 2, 1, 1
        args.num_images, args.bare_steps, args.skip = 4, 1, 0
        configs = dict(fast=SMOKE_CONFIG, pil=SMOKE_CONFIG)
    else:
        configs = CONFIGS
    import torch
    gpu = (torch.cuda.get_device_name(0) if torch.cuda.is_available() else
           'no CUDA device')
    with tempfile.TemporaryDirectory() as tmp:
        data = osp.join(tmp, 'jpegs')
        write_jpegs(data, args.num_images, max(1, min(16, os.cpu_count())))
        rows = [summarise(name, run_config(name, cfg, data, tmp, args),
                          args.skip) for name, cfg in configs.items()]
        paths = sorted(
            osp.join(data, f) for f in os.listdir(data))[:args.decode_images]
        decodes = decode_rates(
            paths, 'cuda' if torch.cuda.is_available() else 'cpu')
    fast, pil = rows
    print(f'\nEnd to end, one GPU ({gpu}), {args.workers} workers, batch '
          f'{args.batch} pairs, {args.num_images} JPEGs 500x375 q90, '
          f'{os.cpu_count()} CPU cores\n')
    print('| path | iteration (s) | bare step (s) | iteration / bare | '
          'pairs/s | preprocessor (s) | preprocessor / step |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for r in rows:
        print(f"| {r['path']} | {r['iteration_s']:.4f} | "
              f"{r['bare_step_s']:.4f} | {r['iteration_over_bare']:.3f} | "
              f"{r['pairs_per_s']:.0f} | {r['preprocessor_train_s']:.4f} | "
              f"{r['preprocessor_share_of_step']:.3f} |")
    print(f"\nfast / PIL end-to-end pairs/s: "
          f"{fast['pairs_per_s'] / pil['pairs_per_s']:.2f}; target: fast "
          f"iteration within 10% of its bare step "
          f"({'met' if fast['iteration_over_bare'] <= 1.1 else 'missed'})")
    print(f'\nJPEG decodes per second, {len(paths)} of the same files '
          '(nvjpeg, for machines with few cores per GPU)\n')
    print('| decoder | images/s | vs simplejpeg on one core |')
    print('|---|---:|---:|')
    for name, rate in decodes.items():
        print(f'| {name} | {rate:.0f} | '
              f"{rate / decodes['simplejpeg_1_core']:.2f} |")
    write_results('gpu_data_smoke.json' if args.smoke else 'gpu_data.json',
                  dict(config=vars(args), gpu=gpu, cpus=os.cpu_count(),
                       rows=rows, decodes_per_s=decodes))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-images', type=int, default=2048)
    parser.add_argument('--batch', type=int, default=128)
    parser.add_argument('--workers', type=int,
                        default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--skip', type=int, default=10,
                        help='first iterations left out (warm-up)')
    parser.add_argument('--bare-steps', type=int, default=20)
    parser.add_argument('--decode-images', type=int, default=512,
                        help='files in the decoder comparison')
    parser.add_argument('--smoke', action='store_true')
    main(parser.parse_args())
