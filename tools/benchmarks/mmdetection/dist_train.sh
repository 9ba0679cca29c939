#!/usr/bin/env bash
# tools/benchmarks/mmdetection/dist_train.sh CONFIG PRETRAIN GPUS [args]: fine-tune
# the backbone weights PRETRAIN (from extract_backbone_weights.py) with a
# mmdetection config, on GPUS GPUs, checking first that every pre-trained tensor
# arrived. Results (logs, metrics, checkpoints) go to work_dirs/<config name>
# unless --work-dir says otherwise.
exec "$(dirname "$0")/../dist_train_downstream.sh" "$@"
