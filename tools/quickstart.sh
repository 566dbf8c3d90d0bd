#!/usr/bin/env bash
# The quick-start job: train Hand4Whole on a CPU and watch it learn.
#   1. synthetic human-model files (data/human_model_files; kept when the
#      folder already holds SMPL-X files, licensed or synthetic)
#   2. a rendered synthetic dataset (data/synthetic)
#   3. train configs/hand4whole/quickstart_synthetic.py (validates the
#      untrained model first, then every epoch; keeps the best checkpoint)
#   4. test the best checkpoint
#   5. a demo render of a validation image
# and print where to look. Environment (defaults): WORK_DIR
# (work_dirs/quickstart_synthetic), DATA_DIR (data/synthetic),
# HUMAN_MODELS (data/human_model_files), NUM_TRAIN (480), NUM_VAL (48),
# IMG_SIZE (512x288), EPOCHS (the config's), GPUS (1; more trains with
# tools/dist_train.sh: that many GPUs, or CPU ranks without CUDA),
# CFG_OPTIONS (more
# --cfg-options for train, test and demo, space-separated), PYTHON
# (python). Extra arguments go to tools/train.py, e.g. --amp.
set -euo pipefail
cd "$(dirname "$0")/.."
# This checkout's h4w and its projects/ plugins, as the launchers do.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PYTHON=${PYTHON:-python}
CONFIG=configs/hand4whole/quickstart_synthetic.py
WORK_DIR=${WORK_DIR:-work_dirs/quickstart_synthetic}
DATA_DIR=${DATA_DIR:-data/synthetic}
HUMAN_MODELS=${HUMAN_MODELS:-data/human_model_files}
NUM_TRAIN=${NUM_TRAIN:-480}
NUM_VAL=${NUM_VAL:-48}
IMG_SIZE=${IMG_SIZE:-512x288}
METRIC=Synthetic/MPVPE_all
START=$(date +%s)

step() { echo; echo "[h4w] $1 ($(($(date +%s) - START)) s)"; }

OPTIONS=("model.body_model.model_path=$HUMAN_MODELS")
for SPLIT in train val test; do
    OPTIONS+=("${SPLIT}_dataloader.dataset.data_root=$DATA_DIR"
        "${SPLIT}_dataloader.dataset.resolution=(${IMG_SIZE#*x},${IMG_SIZE%x*})")
done
for SPLIT in val test; do
    OPTIONS+=("${SPLIT}_evaluator.0.body_model.model_path=$HUMAN_MODELS")
done
# shellcheck disable=SC2206  # word splitting intended
OPTIONS+=(${CFG_OPTIONS:-})
if [ -n "${EPOCHS:-}" ]; then
    OPTIONS+=("train_cfg.max_epochs=$EPOCHS"
        "param_scheduler.0.milestones=[$((EPOCHS - 1))]"
        "param_scheduler.0.end=$EPOCHS")
fi

step "1/5 human-model files in $HUMAN_MODELS"
if compgen -G "$HUMAN_MODELS/smplx/SMPLX_NEUTRAL.*" > /dev/null; then
    echo "[h4w] $HUMAN_MODELS already has SMPL-X files: keeping them"
else
    "$PYTHON" tools/misc/make_synthetic_human_models.py \
        --out-dir "$HUMAN_MODELS"
fi

step "2/5 synthetic dataset in $DATA_DIR ($NUM_TRAIN train, $NUM_VAL val)"
"$PYTHON" tools/misc/make_synthetic_dataset.py --out-dir "$DATA_DIR" \
    --human-model-path "$HUMAN_MODELS" --num-train "$NUM_TRAIN" \
    --num-val "$NUM_VAL" --img-size "$IMG_SIZE"

step "3/5 training $CONFIG"
if [ "${GPUS:-1}" -gt 1 ]; then
    bash tools/dist_train.sh "$CONFIG" "$GPUS" --work-dir "$WORK_DIR" \
        "$@" --cfg-options "${OPTIONS[@]}"
else
    "$PYTHON" tools/train.py "$CONFIG" --work-dir "$WORK_DIR" \
        "$@" --cfg-options "${OPTIONS[@]}"
fi
BEST=$(ls -t "$WORK_DIR"/best_*.pth | head -n 1)

step "4/5 testing $BEST"
"$PYTHON" tools/test.py "$CONFIG" "$BEST" --work-dir "$WORK_DIR/test" \
    --cfg-options "${OPTIONS[@]}"

step "5/5 demo on a validation image"
IMAGE=$(ls "$DATA_DIR"/images_*/validation/*.png | head -n 1)
"$PYTHON" tools/demo.py "$CONFIG" "$BEST" "$IMAGE" \
    --bbox-json "$DATA_DIR/person_boxes_validation.json" \
    --out-dir "$WORK_DIR/demo" --human-model-path "$HUMAN_MODELS" \
    ${CFG_OPTIONS:+--cfg-options $CFG_OPTIONS}

step "done"
"$PYTHON" tools/analysis_tools/summarize_run.py "$WORK_DIR" \
    --metric "$METRIC"
cat << EOF
[h4w] outputs (logs, checkpoints, rendered val overlays) in $WORK_DIR
[h4w] best checkpoint: $BEST
[h4w] demo render: $WORK_DIR/demo/vis/
[h4w] losses, lr, metrics and images: tensorboard --logdir $WORK_DIR
EOF
