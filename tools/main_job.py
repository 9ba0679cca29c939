"""The README's main job: does pixel-level pre-training learn dense features?

    python tools/main_job.py [--work-dir work_dirs/main_job] [--seed 0]

On generated scenes (written once to ``--data``): pre-train the small PixPro
config and, as the instance-level baseline, mmpretrain's BYOL with the same
backbone, data, views, batch, steps, optimiser and schedule; then probe the
frozen backbones of random initialisation, PixPro and BYOL with the dense
probe (per-pixel linear classifier and kNN, mIoU on held-out scenes) and print
one table. Pictures go to ``WORK_DIR/pictures``: the two views with positive
pairs, PixPro's propagation weights, probe predictions beside ground truth
and the loss curves. ``WORK_DIR/results.md`` and ``results.json`` keep the
numbers.

Last, the transfer check: the released recipe (ResNet-50) for 2 steps of 2
scenes, its backbone extracted (as tools/model_converters/
extract_backbone_weights.py does) and loaded into each downstream config
that takes a backbone file (VOC and COCO C4 and FPN detectors, Cityscapes
FCN), every tensor compared with the file (as
tools/benchmarks/check_weights.py does). It checks the chain a user then
runs on GPUs, and leaves its checkpoint in ``WORK_DIR/pixpro_r50`` and the
extracted backbone in ``WORK_DIR/pixpro_r50_backbone.pth``.

Everything runs in this process: the training runs as tools/train.py runs
them (``mmpixpro.engine.runner.launch``), the other steps through the
package functions the tools wrap.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

from mmengine.config import DictAction

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

PIXPRO_CONFIG = 'configs/pixpro/pixpro_resnet18-w16_1xb32-900it_scenes.py'
BYOL_CONFIG = 'configs/byol/byol_resnet18-w16_1xb32-900it_scenes.py'
# The transfer check: the released recipe, 2 steps of 2 scenes each, into every
# downstream config that takes a backbone file. (The FPN/FCOS-head configs
# take files from the FPN pre-training recipes, tested on their own.)
RECIPE_CONFIG = 'configs/pixpro/pixpro_r50_8xb128.py'
RECIPE_SHRUNK = {
    'train_dataloader.dataset.data_prefix': '',
    'train_dataloader.dataset.indices': 4,
    'train_dataloader.batch_size': 2,
    'train_dataloader.num_workers': 0,
    'train_dataloader.persistent_workers': False,
    'train_cfg.max_epochs': 1,
}
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


def step(title):
    print(f'\n==> {title}', flush=True)


def pretrain(config, work_dir, seed, data_root, cfg_options):
    """Train ``config`` as tools/train.py does, on the images under
    ``data_root``; return the final checkpoint's path."""
    from mmpixpro.engine.runner.launch import build_train_config, train
    options = {
        'randomness.seed': seed,
        'train_dataloader.dataset.data_root': data_root,
        **cfg_options
    }
    checkpoint = train(
        build_train_config(config, work_dir=work_dir, cfg_options=options))
    if checkpoint is None:
        raise RuntimeError(f'{config} saved no checkpoint in {work_dir}')
    return checkpoint


def transfer_check(args, data_root, work_dir):
    """Released recipe -> extraction -> each downstream config's model;
    ``{config: {module: {filled, own_init}}}``. Raises when a tensor that
    the backbone file should fill was not filled."""
    from mmpixpro.converters import extract_backbone
    from mmpixpro.evaluation import check_transfer_weights
    checkpoint = pretrain(RECIPE_CONFIG, osp.join(work_dir, 'pixpro_r50'),
                          args.seed, data_root, RECIPE_SHRUNK)
    backbone = extract_backbone(
        checkpoint, osp.join(work_dir, 'pixpro_r50_backbone.pth'),
        force=True)
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


def markdown_table(rows):
    lines = [
        '| backbone | linear mIoU | linear acc | kNN mIoU | kNN acc |',
        '|---|---:|---:|---:|---:|'
    ]
    for name, r in rows:
        lines.append(f'| {name} | {r["linear"]["mIoU"]:.1f} | '
                     f'{r["linear"]["aAcc"]:.1f} | {r["knn"]["mIoU"]:.1f} | '
                     f'{r["knn"]["aAcc"]:.1f} |')
    return '\n'.join(lines)


def draw_pictures(args, data, checkpoints, probes, work_dirs, out_dir):
    import numpy as np

    from mmpixpro.visualization import (draw_label_maps, draw_loss_curves,
                                        draw_propagation_figure,
                                        draw_views_figure, save_png)
    os.makedirs(out_dir, exist_ok=True)
    image = sorted(
        os.listdir(osp.join(data, 'cityscapes', 'leftImg8bit', 'val',
                            'scenes')))[0]
    image = osp.join(data, 'cityscapes', 'leftImg8bit', 'val', 'scenes',
                     image)
    draw_views_figure(PIXPRO_CONFIG, image, osp.join(out_dir, 'views.png'),
                      seed=args.seed)
    draw_propagation_figure(PIXPRO_CONFIG, checkpoints['PixPro'], image,
                            osp.join(out_dir, 'propagation.png'))
    draw_loss_curves([work_dirs['PixPro'], work_dirs['BYOL']], ['loss'],
                     osp.join(out_dir, 'loss_curves.png'))
    val, preds = probes['val'], {n: r['predictions'] for n, r in probes.items()
                                 if n != 'val'}
    num_classes = probes['PixPro']['num_classes']
    rows = []
    for i in range(min(args.show, len(val))):
        maps = [('ground truth', preds['PixPro']['gt'][i])]
        maps += [(f'{name} linear', p['linear'][i]) for name, p in
                 preds.items()]
        rows.append(
            draw_label_maps(val.images[i].permute(1, 2, 0).numpy(), maps,
                            num_classes))
    print(save_png(np.concatenate(rows, 0),
                   osp.join(out_dir, 'probe_predictions.png')))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/main_job')
    parser.add_argument('--data', default='data/scenes',
                        help='generated scenes (written when missing)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the pre-training runs and the probe')
    parser.add_argument('--img-size', type=int, default=256,
                        help='probe input size (scenes are upsampled)')
    parser.add_argument('--probe-epochs', type=int, default=30,
                        help='epochs of the linear probe')
    parser.add_argument('--show', type=int, default=4,
                        help='held-out scenes in the predictions picture')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='passed to both pre-training runs, '
                        'e.g. train_cfg.max_iters=100')
    args = parser.parse_args(argv)
    os.chdir(REPO)
    begin = time.time()

    from mmpixpro.evaluation import load_split, run_probe
    from mmpixpro.testing import write_scene_datasets

    data = args.data
    if not osp.isdir(osp.join(data, 'cityscapes')):
        step(f'generating scenes in {data}')
        written = write_scene_datasets(data, seed=0)
        print(f'{len(written["unlabeled"])} unlabeled, '
              f'{len(written["cityscapes"]["train"])} train and '
              f'{len(written["cityscapes"]["val"])} val scenes')
    data_root = osp.join(data, 'unlabeled')

    work_dirs = dict(PixPro=osp.join(args.work_dir, 'pixpro'),
                     BYOL=osp.join(args.work_dir, 'byol'))
    checkpoints = {}
    for name, config in (('PixPro', PIXPRO_CONFIG), ('BYOL', BYOL_CONFIG)):
        step(f'pre-training {name} ({config})')
        tick = time.time()
        checkpoints[name] = pretrain(config, work_dirs[name], args.seed,
                                     data_root, args.cfg_options)
        print(f'{name}: {time.time() - tick:.0f} s, {checkpoints[name]}')

    step('dense probe of the frozen backbones on held-out scenes')
    root = osp.join(data, 'cityscapes')
    train = load_split(root, 'cityscapes', 'train', img_size=args.img_size)
    val = load_split(root, 'cityscapes', 'val', img_size=args.img_size)
    probes = dict(val=val)
    rows = []
    for name, checkpoint in (('random init', 'random'),
                             ('PixPro', checkpoints['PixPro']),
                             ('BYOL', checkpoints['BYOL'])):
        # BYOL's config has the same backbone; PixPro's reads both.
        probes[name] = run_probe(PIXPRO_CONFIG, checkpoint, train, val,
                                 seed=args.seed, epochs=args.probe_epochs)
        rows.append((name, probes[name]))
        print(f'{name}: linear mIoU {probes[name]["linear"]["mIoU"]:.1f}, '
              f'kNN mIoU {probes[name]["knn"]["mIoU"]:.1f}')

    step('pictures')
    draw_pictures(args, data, checkpoints, probes, work_dirs,
                  osp.join(args.work_dir, 'pictures'))

    table = markdown_table(rows)
    grid = probes['PixPro']['grid']
    header = (f'Dense probe on {len(val)} held-out generated scenes '
              f'({len(train)} labelled for the probe), C5 features at '
              f'stride 8 ({grid[0]}x{grid[1]} grid), seed {args.seed}:')
    report = header + '\n\n' + table + '\n'
    # The probe's numbers are kept before the transfer check, which may fail.
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(report)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump({
            name: {k: v for k, v in r.items() if k != 'predictions'}
            for name, r in rows
        }, f, indent=1)

    step(f'transfer check: {RECIPE_CONFIG} for 2 steps, extracted, loaded '
         'into each downstream config')
    tick = time.time()
    transfer = transfer_check(args, data_root, args.work_dir)
    print(f'transfer check: {time.time() - tick:.0f} s')
    report += '\n' + (
        f'Transfer check: {RECIPE_CONFIG} (ResNet-50) for 2 steps of 2 '
        'scenes, extract_backbone_weights.py, then every tensor of the '
        'pre-trained modules of each downstream model compared with the '
        'file:\n\n' + transfer_table(transfer) + '\n')
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(report)
    with open(osp.join(args.work_dir, 'transfer_check.json'), 'w') as f:
        json.dump(transfer, f, indent=1)
    print('\n' + report)
    print(f'\nmain job done in {(time.time() - begin) / 60:.1f} min; results '
          f'and pictures in {args.work_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
