# DDP for the multi-GPU recipes: gradients are views into the all-reduce
# buckets (one gradient-sized copy less per step; docs/speed.md). The other
# two values are mmengine's defaults, which a given model_wrapper_cfg would
# otherwise replace by torch's (broadcast_buffers=True would overwrite each
# rank's BN buffers with rank 0's every step).
model_wrapper_cfg = dict(
    type='MMDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False,
    gradient_as_bucket_view=True)
