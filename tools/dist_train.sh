#!/usr/bin/env bash
# Distributed training on one or several machines with torchrun:
#   tools/dist_train.sh CONFIG GPUS [train.py args]
# Several machines: NNODES, NODE_RANK, MASTER_ADDR and PORT on each, e.g.
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 tools/dist_train.sh CONFIG 8
# PYTHON picks the interpreter (default: python); TRAIN_PY the script
# (default: tools/train.py; the fine-tune launchers give
# tools/benchmarks/train_downstream.py).
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
TRAIN_PY=${TRAIN_PY:-"$(dirname "$0")/train.py"}

PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$TRAIN_PY" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
