"""Two-view data pipeline throughput per core: the fast path's workers
against the PIL path and mmpretrain's BYOL pipeline, on ImageNet-sized JPEGs.

What: samples/s of one process calling the pipeline directly (no DataLoader,
so num_workers plays no part), one sample = decode one JPEG, make two 224 px
views, pack them. The ``train_pipeline`` of
``configs/_base_/datasets/imagenet_pixpro.py`` is the fast path (JPEG
decode with simplejpeg, box-tracking crops and flips, photometric
parameters drawn but not applied: ``PhotometricDataPreprocessor`` applies
them on the device, not measured here), that of ``imagenet_pixpro_pil.py``
the PIL path (every op in the worker). Also
the fast path with PIL's decoder (``LoadRGBImageFromFile``; the same
pixels), for the decoder's share. The peer
is mmpretrain's BYOL pipeline (LoadImageFromFile, MultiView of two
asymmetric views, PackInputs), built in the ``mmpretrain`` scope.

Peer with hue=0: under numpy 2, mmcv 2.1's ``adjust_hue`` (which mmpretrain's
ColorJitter calls) raises an OverflowError for negative hue factors, so the
peer runs without the hue jitter (the script shows the error with hue=0.1).
A control runs the peer with hue factors drawn from [0, 0.1] (they do not
overflow and cost what its recipe's would).

How: 64 generated JPEGs (500x375 and 375x500, random scenes plus Gaussian
noise so that decoding costs what a photo costs, quality 90) in a temporary
folder; ``torch.set_num_threads(1)`` and ``cv2.setNumThreads(0)`` to measure
one core; numpy, random and torch seeded identically before every pass; one
warm-up pass each, then ``--passes`` timed passes over all files, rotating
which pipeline goes first; throughput is the median over passes, ratios are
of medians from the same run, and the spread of the per-pass ratio
(min-max) says how noisy the machine was. On a shared machine the headline
is the second estimate: every sample timed alone, the pipelines taking
turns sample by sample, each seeded by the sample's index so that all
``--repeats`` repeats do the same work; the fastest repeat per sample and
pipeline is its CPU cost without other processes' interference.

Run from the repository root (the pipelines run on the CPU on any machine):

    .venv/bin/python speed/bench_pipeline.py

Prints a markdown table and writes JSON to ``speed/results/``.
"""
import argparse
import copy
import os
import os.path as osp
import random
import statistics
import tempfile
import time
import warnings

import cv2
import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope
from PIL import Image

from bench_io import REPO, write_results
from mmpixpro.datasets.generated_scenes import generate_scene
from mmpixpro.utils import register_all_modules

PIXPRO_DATA_CFG = osp.join(REPO, 'configs/_base_/datasets/imagenet_pixpro.py')
PIL_DATA_CFG = osp.join(REPO, 'configs/_base_/datasets/imagenet_pixpro_pil.py')


def byol_pipeline(hue):
    """mmpretrain's BYOL ResNet-50 train pipeline (``hue`` of ColorJitter)."""

    def view(blur_prob, solarize_prob):
        return [
            dict(
                type='RandomResizedCrop',
                scale=224,
                interpolation='bicubic',
                backend='pillow'),
            dict(type='RandomFlip', prob=0.5),
            dict(
                type='RandomApply',
                transforms=[
                    dict(
                        type='ColorJitter',
                        brightness=0.4,
                        contrast=0.4,
                        saturation=0.2,
                        hue=hue)
                ],
                prob=0.8),
            dict(
                type='RandomGrayscale',
                prob=0.2,
                keep_channels=True,
                channel_weights=(0.114, 0.587, 0.2989)),
            dict(
                type='GaussianBlur',
                magnitude_range=(0.1, 2.0),
                magnitude_std='inf',
                prob=blur_prob),
            dict(type='Solarize', thr=128, prob=solarize_prob),
        ]

    return [
        dict(type='LoadImageFromFile'),
        dict(
            type='MultiView',
            num_views=[1, 1],
            transforms=[view(1., 0.), view(0.1, 0.2)]),
        dict(type='PackInputs'),
    ]


def build(pipeline_cfg, scope):
    with DefaultScope.overwrite_default_scope(scope):
        return Compose(copy.deepcopy(pipeline_cfg))


def write_jpegs(folder, num, noise_std, seed=0):
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(num):
        h, w = (375, 500) if i % 2 == 0 else (500, 375)
        img = generate_scene(rng, (h, w)).image + rng.normal(0, noise_std, (h, w, 3))
        path = osp.join(folder, f'img_{i:03d}.jpg')
        Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(
            path, quality=90)
        paths.append(path)
    return paths


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def run_pass(pipeline, paths, seed=0):
    """Seconds to push every file through ``pipeline``."""
    seed_all(seed)
    start = time.perf_counter()
    for path in paths:
        out = pipeline(dict(img_path=path))
        assert len(out['inputs']) == 2
    return time.perf_counter() - start


def per_sample_min(pipelines, paths, repeats):
    """Noise-robust CPU cost: every sample timed alone, each pipeline in
    turn (rotating the order), seeded by the sample's index so that every
    repeat does the same work; per (pipeline, sample) the fastest of
    ``repeats``; returns samples/s of the summed minima."""
    best = {name: [float('inf')] * len(paths) for name in pipelines}
    names = list(pipelines)
    for r in range(repeats):
        for i, path in enumerate(paths):
            k = (r + i) % len(names)
            for name in names[k:] + names[:k]:
                seed_all(i)
                start = time.perf_counter()
                pipelines[name](dict(img_path=path))
                best[name][i] = min(best[name][i],
                                    time.perf_counter() - start)
    return {name: len(paths) / sum(t) for name, t in best.items()}


def show_hue_trap(paths):
    """The peer with hue=0.1: how many samples fail, and the error."""
    pipeline = build(byol_pipeline(hue=0.1), 'mmpretrain')
    seed_all(0)
    failed, error = 0, None
    for path in paths:
        try:
            pipeline(dict(img_path=path))
        except Exception as e:  # noqa: BLE001 - we report whatever it is
            failed += 1
            error = error or f'{type(e).__name__}: {e}'
    return failed, error


LABELS = dict(
    fast='PixPro fast path (workers: decode, crops, parameters)',
    fast_pil_decode='PixPro fast path, PIL decoder',
    pil='PixPro PIL path (released recipe, all ops in the workers)',
    peer='BYOL (mmpretrain), hue=0',
    peer_hue_pos='BYOL (mmpretrain), hue in [0, 0.1]')


def with_pil_decoder(pipeline_cfg):
    cfg = copy.deepcopy(pipeline_cfg)
    assert cfg[0]['type'] == 'LoadRGBImageTurbo'
    cfg[0]['type'] = 'LoadRGBImageFromFile'
    return cfg


def main(args):
    # mmpretrain's ColorJitter warns at every saturation change.
    warnings.filterwarnings('ignore', "Only use 'alpha' for pillow backend")
    torch.set_num_threads(1)
    cv2.setNumThreads(0)
    register_all_modules()
    fast_cfg, pil_cfg = (Config.fromfile(path).to_dict()['train_pipeline']
                         for path in (PIXPRO_DATA_CFG, PIL_DATA_CFG))
    pipelines = dict(
        fast=build(fast_cfg, 'mmpixpro'),
        fast_pil_decode=build(with_pil_decoder(fast_cfg), 'mmpixpro'),
        pil=build(pil_cfg, 'mmpixpro'),
        peer=build(byol_pipeline(hue=0.), 'mmpretrain'),
        # Positive hue factors do not overflow and cost what negative ones
        # would: the work of the peer's own recipe.
        peer_hue_pos=build(byol_pipeline(hue=(0., 0.1)), 'mmpretrain'))
    try:
        import simplejpeg
        decoder = f'simplejpeg {simplejpeg.__version__}'
    except ImportError:
        decoder = 'simplejpeg not installed: both fast rows decode with PIL'

    with tempfile.TemporaryDirectory() as folder:
        paths = write_jpegs(folder, args.num_images, args.noise_std)
        kib = statistics.mean(os.path.getsize(p) for p in paths) / 1024
        shapes = {
            name: [tuple(v.shape) for v in pipe(dict(img_path=paths[0]))
                   ['inputs']]
            for name, pipe in pipelines.items()
        }
        hue_failed, hue_error = show_hue_trap(paths)

        for pipeline in pipelines.values():
            run_pass(pipeline, paths[:16])  # warm-up
        times = {name: [] for name in pipelines}
        names = list(pipelines)
        for p in range(args.passes):  # rotate which pipeline goes first
            for name in names[p % len(names):] + names[:p % len(names)]:
                times[name].append(run_pass(pipelines[name], paths, seed=p))

        min_rate = per_sample_min(pipelines, paths, args.repeats)

    rate = {k: len(paths) / statistics.median(v) for k, v in times.items()}
    pairs = dict(fast_over_pil=('fast', 'pil'),
                 fast_over_peer_hue_pos=('fast', 'peer_hue_pos'),
                 fast_over_fast_pil_decode=('fast', 'fast_pil_decode'),
                 pil_over_peer_hue_pos=('pil', 'peer_hue_pos'))
    ratios = {k: rate[a] / rate[b] for k, (a, b) in pairs.items()}
    min_ratios = {k: min_rate[a] / min_rate[b] for k, (a, b) in pairs.items()}
    # Per pass: the same pass index of both, run minutes apart at most.
    spread = {k: (min(tb / ta for ta, tb in zip(times[a], times[b])),
                  max(tb / ta for ta, tb in zip(times[a], times[b])))
              for k, (a, b) in pairs.items()}
    print(f'\nTwo-view pipeline, one core (torch threads 1, cv2 threads 0), '
          f'{len(paths)} JPEGs 500x375/375x500 q90 (mean {kib:.0f} KiB), '
          f'{args.passes} passes, {decoder}\n')
    print('| pipeline | samples/s, per-sample minima | samples/s, median '
          'pass | min-max over passes |')
    print('|---|---:|---:|---:|')
    for name, label in LABELS.items():
        rates = [len(paths) / t for t in times[name]]
        print(f'| {label} | {min_rate[name]:.1f} | {rate[name]:.1f} | '
              f'{min(rates):.1f}-{max(rates):.1f} |')
    print('\n| ratio | per-sample minima | median passes | per-pass '
          'min-max |')
    print('|---|---:|---:|---:|')
    for k in pairs:
        print(f'| {k} | {min_ratios[k]:.2f} | {ratios[k]:.2f} | '
              f'{spread[k][0]:.2f}-{spread[k][1]:.2f} |')
    print('\nThe peer runs with ColorJitter hue=0 or hue in [0, 0.1]: with '
          f'hue=0.1 (its recipe) {hue_failed}/{len(paths)} samples fail '
          f'under numpy {np.__version__}: {hue_error}')
    print(f'Output views: {shapes}')

    write_results(
        'pipeline.json',
        dict(config=vars(args), labels=LABELS, mean_jpeg_kib=kib,
             decoder=decoder, samples_per_s=rate, ratios=ratios,
             samples_per_s_min=min_rate, ratios_min=min_ratios,
             ratio_spread=spread, pass_seconds=times,
             hue_trap=dict(failed=hue_failed, of=len(paths), error=hue_error),
             numpy=np.__version__, output_shapes=shapes))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-images', type=int, default=64)
    parser.add_argument('--passes', type=int, default=6)
    parser.add_argument('--repeats', type=int, default=5,
                        help='timings per sample for the per-sample minima')
    parser.add_argument(
        '--noise-std', type=float, default=20.,
        help='Gaussian noise added to the scenes; sets the JPEG size, '
        '20 gives ~95 KiB (ImageNet train JPEGs average ~110 KB)')
    main(parser.parse_args())
