#!/usr/bin/env bash
# The quick-start job on the embedded default: write the synthetic
# human-model files, train the tiny smoke config on the CPU and evaluate
# its last checkpoint. Outputs go to work_dirs/pose_lifter_smoke/.
set -euo pipefail
cd "$(dirname "$0")/.."
# This checkout's h4w and its projects/ plugins, as the launchers do.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PYTHON=${PYTHON:-python}
CONFIG=configs/quickstart/pose_lifter_smoke.py
WORK_DIR=${WORK_DIR:-work_dirs/pose_lifter_smoke}

"$PYTHON" tools/misc/make_synthetic_human_models.py \
    --out-dir data/human_model_files
"$PYTHON" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
"$PYTHON" tools/test.py "$CONFIG" "$WORK_DIR/epoch_3.pth" \
    --work-dir "$WORK_DIR" --out "$WORK_DIR/predictions.pkl"
echo "[h4w] done: logs, checkpoints and TensorBoard events in $WORK_DIR"
echo "[h4w] view them with: tensorboard --logdir $WORK_DIR"
