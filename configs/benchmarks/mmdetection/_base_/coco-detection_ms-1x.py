# COCO 2017 object detection (boxes only), 1x: the data and schedule of
# ./coco-instance_ms-1x.py (640-800 multi-scale training, test 800, 90k
# iterations of batch 16, steps 60k/80k, 1000 warm-up iterations) without
# the masks, evaluated with box AP.
_base_ = './coco-instance_ms-1x.py'

# The instance base's pipelines, annotations loaded without the masks.
box_annotations = dict(type='LoadAnnotations', with_bbox=True)
train_pipeline = [
    box_annotations if step.type == 'LoadAnnotations' else step
    for step in _base_.train_pipeline
]
test_pipeline = [
    box_annotations if step.type == 'LoadAnnotations' else step
    for step in _base_.test_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(metric='bbox')
test_evaluator = val_evaluator
