#!/usr/bin/env bash
# The main job: set up the environment, then tools/main_job.py: generate
# scenes (once, into data/scenes), pre-train PixPro, mmpretrain's BYOL and
# DenseCL on them with the same small backbone and budget, then score random
# init and the three backbones with the dense probe and fine-tuned through
# the miniature VOC detection and Cityscapes segmentation configs; table,
# chart and pictures in work_dirs/main_job.
# Extra arguments go to tools/main_job.py (e.g. --seeds 0 1 2).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash tools/install.sh
PY="${MMPIXPRO_VENV:-$REPO/.venv}/bin/python"
exec "$PY" tools/main_job.py "$@"
