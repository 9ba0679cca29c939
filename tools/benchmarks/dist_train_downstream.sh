#!/usr/bin/env bash
# Shared by mmdetection/dist_train.sh and mmsegmentation/dist_train.sh:
#   CONFIG PRETRAIN GPUS [train_downstream.py args]
# tools/dist_train.sh running train_downstream.py; several machines:
# NNODES, NODE_RANK, MASTER_ADDR, PORT as for pre-training.
set -euo pipefail
CONFIG=$1
PRETRAIN=$2
GPUS=$3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

TRAIN_PY="$HERE/train_downstream.py" exec "$HERE/../dist_train.sh" \
    "$CONFIG" "$GPUS" --pretrained "$PRETRAIN" "${@:4}"
