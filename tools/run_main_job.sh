#!/usr/bin/env bash
# The main job: set up the environment, then tools/main_job.py: generate
# scenes (once, into data/scenes), pre-train PixPro and mmpretrain's BYOL on
# them with the same small backbone and budget, probe random init, PixPro and
# BYOL densely, print the table and draw the pictures (work_dirs/main_job).
# Extra arguments go to tools/main_job.py (e.g. --seed 1).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash tools/install.sh
PY="${MMPIXPRO_VENV:-$REPO/.venv}/bin/python"
exec "$PY" tools/main_job.py "$@"
