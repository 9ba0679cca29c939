#!/usr/bin/env bash
# Shared by mmdetection/dist_train.sh and mmsegmentation/dist_train.sh:
#   CONFIG PRETRAIN GPUS [train_downstream.py args]
# Several machines: NNODES, NODE_RANK, MASTER_ADDR, PORT as for pre-training.
set -euo pipefail
CONFIG=$1
PRETRAIN=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PYTHONPATH="$HERE/../..${PYTHONPATH:+:$PYTHONPATH}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$HERE/train_downstream.py" "$CONFIG" --pretrained "$PRETRAIN" \
    --launcher pytorch "${@:4}"
