# The main job's miniature of faster-rcnn_r50-c4_ms-24k_voc0712.py on one CPU:
# width, image size, schedule and dataset changed, nothing else.
# Settings: configs/benchmarks/README.md, "Notes per config".
_base_ = './faster-rcnn_r50-c4_ms-24k_voc0712.py'
custom_imports = dict(imports=[
    'mmpixpro.evaluation', 'mmpretrain.models',
    'mmpixpro.evaluation.narrow_res_layer'
])

# --- width
bn = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=bn),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        shared_head=dict(
            type='NarrowResLayerExtraNorm',
            depth=18,
            base_channels=16,
            norm_cfg=bn),
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=128, num_classes=6)),
    # --- image size: proposals and sampled RoIs x 0.1 (image area)
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1200, max_per_img=200),
        rcnn=dict(sampler=dict(num=32))),
    test_cfg=dict(rpn=dict(nms_pre=600, max_per_img=50)))

# --- image size
image_size = 256
train_scales = [(427, s) for s in range(156, 257, 10)]
# (the base's pipelines with these sizes)
train_pipeline = [
    dict(step, scales=train_scales)
    if step.type == 'RandomChoiceResize' else step
    for step in _base_.train_pipeline
]
test_pipeline = [
    dict(step, scale=(427, image_size)) if step.type == 'Resize' else step
    for step in _base_.test_pipeline
]

# --- dataset: data/scenes/VOCdevkit/VOC2007 (trainval 300, test 100)
data_root = 'data/scenes/VOCdevkit/'
scene_classes = ('disc', 'square', 'triangle', 'ring', 'bar', 'cross')
metainfo = dict(classes=scene_classes)
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    dataset=dict(
        _delete_=True,
        type='VOCDataset',
        data_root=data_root,
        metainfo=metainfo,
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=8, bbox_min_size=8),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=test_pipeline))
test_dataloader = val_dataloader

# --- schedule
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
optim_wrapper = dict(optimizer=dict(lr=0.02))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end=25),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=max_iters,
         milestones=[max_iters * 3 // 4, max_iters * 11 // 12], gamma=0.1)
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
auto_scale_lr = dict(base_batch_size=4)

# --- display only: a progress bar with ETA (the main job's stages show
# one). mmpixpro's registry is mmpretrain's child, so from mmdet's and
# mmseg's scope the hook is reached through both scopes.
custom_hooks = [
    dict(type='PretrainedWeightsCheckHook'),
    dict(type='mmpretrain.mmpixpro.ProgressBarHook')
]
