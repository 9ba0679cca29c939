# Mask R-CNN R50-FPN fine-tuned on 1 % of COCO train2017 (1,183 images),
# tested on the full val2017: the label-scarce benchmark of the PixPro paper
# (1 % COCO: 14.8 mAP, +3.9 over the previous best unsupervised
# pre-training; the 10 % result is in mask-rcnn_r50-fpn_10pct_coco.py).
# - model, data pipelines, optimiser and evaluation: exactly
#   mask-rcnn_r50-fpn_ms-1x_coco.py (SyncBN, RGB ImageNet mean/std, 640-800
#   multi-scale, batch 16, lr 0.02, box and mask AP on val2017).
# - train annotations: semi_supervised/instances_train2017.{seed}@1.json
#   under data/coco, written by tools/dataset_converters/coco_subset.py
#   (default output folder); the seed is `subset_seed` below.
# - schedule: the 1x schedule's 90k iterations scaled by the square root of
#   the data fraction (sqrt(0.01) = 0.1): 9k iterations of batch 16, about
#   122 epochs of the subset; steps at 2/3 and 8/9 of it as in 1x
#   (6k / 8k); the 1000-iteration linear warm-up kept. Keeping 12 epochs
#   would be 890 iterations (shorter than the warm-up, too few steps for
#   the randomly initialised FPN and heads); keeping 90k iterations would
#   be ~1,200 epochs of 1.2k images. The same rule gives 27k for 10 % and
#   90k for 100 %.
_base_ = './mask-rcnn_r50-fpn_ms-1x_coco.py'

# As in the 10pct config with its own numbers: mmengine runs each file on
# its own, so a base's ann_file and milestones could not follow a child's
# subset_percent and max_iters.
subset_seed = 1
subset_percent = 1
train_dataloader = dict(
    dataset=dict(ann_file=f'semi_supervised/instances_train2017.'
                 f'{subset_seed}@{subset_percent}.json'))

max_iters = 9000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=1000),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[max_iters * 2 // 3, max_iters * 8 // 9], gamma=0.1)
]
