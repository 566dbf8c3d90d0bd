#!/usr/bin/env bash
# Install h4w and its dependencies into the current Python environment.
# torch 2.13.0 is installed first unless a torch is already there, so that
# pip does not resolve `torch>=2.0` to the newest release (install the torch
# build you want, e.g. a CUDA or CPU-only one, before running this).
# Extras: viz (pyrender, trimesh), tests (pytest, ruff) and deploy (onnx,
# onnxruntime: ONNX export and its tests).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
    echo "[h4w] installing torch 2.13.0"
    "$PYTHON" -m pip install -q torch==2.13.0
fi
echo "[h4w] installing h4w with the viz, tests and deploy extras"
"$PYTHON" -m pip install -q -e ".[all]"
"$PYTHON" -c "import h4w; print('[h4w] h4w', h4w.__version__, 'is installed')"
