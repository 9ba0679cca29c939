#!/usr/bin/env bash
# The main job: set up the environment, generate the demo images (once), and
# pre-train the small PixPro demo config on them. Extra arguments go to
# tools/train.py (e.g. --cfg-options train_cfg.max_epochs=1).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash tools/install.sh
PY="${MMPIXPRO_VENV:-$REPO/.venv}/bin/python"
DATA=data/pixpro_demo
if [[ -z "$(find "$DATA" -name '*.jpg' -print -quit 2>/dev/null)" ]]; then
  "$PY" tools/misc/make_demo_images.py "$DATA"
fi
exec "$PY" tools/train.py configs/pixpro/pixpro_resnet18-w16_1xb16-4e_demo.py \
  --work-dir work_dirs/pixpro_demo "$@"
