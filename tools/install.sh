#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment: the pinned OpenMMLab
# stack on torch 2.11.0 + torchvision 0.26.0, mmcv 2.1.0 built from source with
# its compiled CPU ops, and mmpixpro itself in editable mode with test extras.
#
# Idempotent: a second run checks the stamp file and returns in seconds.
# The mmcv wheel is cached under $MMPIXPRO_CACHE keyed by the torch version and
# the Python tag, because pip's own wheel cache is keyed by the source archive
# only and would hand a build made against another torch to this one.
#
# Environment:
#   MMPIXPRO_VENV   where the venv goes        (default: <repo>/.venv)
#   MMPIXPRO_CACHE  where built wheels go      (default: ~/.cache/mmpixpro)
#   PYTHON          interpreter for the venv   (default: python3)
#   MAX_JOBS        parallel compile jobs      (default: nproc)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MMPIXPRO_VENV:-$REPO/.venv}
CACHE=${MMPIXPRO_CACHE:-$HOME/.cache/mmpixpro}
PYTHON=${PYTHON:-python3}

TORCH_VERSION=2.11.0
TORCHVISION_VERSION=0.26.0
MMCV_VERSION=2.1.0
PINS=(
  "mmengine==0.10.7"
  "mmpretrain==1.2.0"
  "mmdet==3.3.0"
  "mmsegmentation==1.2.2"
  "ftfy" "regex"          # mmsegmentation 1.2.2 imports these without declaring them
)

log() { printf '[install] %s\n' "$*"; }

# The stamp records everything that decides what is installed; when any of it
# changes (a pin, setup.cfg), the next run re-checks the environment.
stamp_key() {
  { echo "$TORCH_VERSION $TORCHVISION_VERSION $MMCV_VERSION ${PINS[*]}"
    cat "$REPO/setup.cfg" "$REPO/pyproject.toml" "$0"; } | sha256sum | cut -d' ' -f1
}
STAMP="$VENV/.mmpixpro-install-stamp"
KEY=$(stamp_key)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" ]] \
   && "$VENV/bin/python" -c "import mmcv.ops, mmpretrain, mmdet, mmseg, mmpixpro" 2>/dev/null; then
  log "environment at $VENV is up to date"
  exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating venv at $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

# mmcv 2.1.0's setup.py imports pkg_resources, which setuptools 81 removed.
"${PIP[@]}" install -q -U pip "setuptools<81" wheel ninja

log "torch $TORCH_VERSION + torchvision $TORCHVISION_VERSION"
"${PIP[@]}" install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"

# mmcv's own runtime dependencies, plus what its setup.py imports at build time.
"${PIP[@]}" install -q "mmengine==0.10.7" addict packaging Pillow pyyaml yapf "opencv-python>=3" psutil

if ! "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
  PYTAG=$("$PY" -c "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')")
  # mmcv compiles CUDA ops when torch sees a GPU (or FORCE_CUDA=1): a build
  # with and one without them must not share a cache entry.
  OPS=$("$PY" -c "import os, torch; print('cuda' if torch.cuda.is_available() or os.environ.get('FORCE_CUDA') == '1' else 'cpu')")
  WHEELDIR="$CACHE/wheels/mmcv-$MMCV_VERSION-torch-$TORCH_VERSION-$PYTAG-$OPS"
  mkdir -p "$WHEELDIR"
  WHEEL=$(ls "$WHEELDIR"/mmcv-"$MMCV_VERSION"-*.whl 2>/dev/null | head -n1 || true)
  if [[ -z "$WHEEL" ]]; then
    log "building mmcv $MMCV_VERSION with compiled $OPS ops (10 to 20 minutes on 2 cores)"
    TMPW=$(mktemp -d)
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      "${PIP[@]}" wheel --no-build-isolation --no-deps --no-cache-dir \
      -w "$TMPW" "mmcv==$MMCV_VERSION"
    mv "$TMPW"/mmcv-*.whl "$WHEELDIR"/
    rm -rf "$TMPW"
    WHEEL=$(ls "$WHEELDIR"/mmcv-"$MMCV_VERSION"-*.whl | head -n1)
  else
    log "using cached mmcv wheel $WHEEL"
  fi
  "${PIP[@]}" install -q --force-reinstall --no-deps "$WHEEL"
fi

log "OpenMMLab packages: ${PINS[*]}"
"${PIP[@]}" install -q "${PINS[@]}"

log "mmpixpro (editable, with test extras)"
"${PIP[@]}" install -q --no-build-isolation -e "$REPO[tests]"

"$PY" -c "import mmcv.ops, mmpretrain, mmdet, mmseg, mmpixpro; print('[install] ok: torch', __import__('torch').__version__, 'mmcv', mmcv.__version__)"
echo "$KEY" > "$STAMP"
