# Mask R-CNN R50-FPN fine-tuned on 10 % of COCO train2017 (11,829 images),
# tested on the full val2017: the label-scarce benchmark of the PixPro paper
# (reported there with 1 % COCO, where PixPro reaches 14.8 mAP, +3.9 over the
# previous best unsupervised pre-training; see mask-rcnn_r50-fpn_1pct_coco.py).
# - model, data pipelines, optimiser and evaluation: exactly
#   mask-rcnn_r50-fpn_ms-1x_coco.py (SyncBN, RGB ImageNet mean/std, 640-800
#   multi-scale, batch 16, lr 0.02, box and mask AP on val2017).
# - train annotations: semi_supervised/instances_train2017.{seed}@10.json
#   under data/coco, written by tools/dataset_converters/coco_subset.py
#   (default output folder); the seed is `subset_seed` below.
# - schedule: the 1x schedule's 90k iterations scaled by about the square
#   root of the data fraction (sqrt(0.1) = 0.32, rounded to 0.3): 27k
#   iterations of batch 16, about 37 epochs of the subset; steps at 2/3 and
#   8/9 of it as in 1x (18k / 24k); the 1000-iteration linear warm-up kept.
#   (12 epochs would be 8.9k iterations; 90k iterations would be 122
#   epochs.) The same rule gives 9k for 1 % and 90k for 100 %.
_base_ = './mask-rcnn_r50-fpn_ms-1x_coco.py'

# As in the 1pct config with its own numbers: mmengine runs each file on
# its own, so a base's ann_file and milestones could not follow a child's
# subset_percent and max_iters.
subset_seed = 1
subset_percent = 10
train_dataloader = dict(
    dataset=dict(ann_file=f'semi_supervised/instances_train2017.'
                 f'{subset_seed}@{subset_percent}.json'))

max_iters = 27000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=1000),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[max_iters * 2 // 3, max_iters * 8 // 9], gamma=0.1)
]
