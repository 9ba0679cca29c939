# Mask R-CNN R50-FPN fine-tuned on 1 % of COCO train2017, tested on val2017:
# the paper's label-scarce benchmark; 9k iterations (sqrt rule).
# Settings: configs/benchmarks/README.md, "Notes per config".
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
    _base_.param_scheduler[0],
    dict(
        _base_.param_scheduler[1],
        end=max_iters,
        milestones=[max_iters * 2 // 3, max_iters * 8 // 9])
]
