#!/usr/bin/env bash
# Set up the environment and run the test suite (CPU only, no download).
# Extra arguments go to pytest (e.g. -m "not slow", -k ppm).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash tools/install.sh
exec "${MMPIXPRO_VENV:-$REPO/.venv}/bin/python" -m pytest "$@"
