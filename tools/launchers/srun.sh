#!/usr/bin/env bash
# Shared by slurm_train.sh and slurm_test.sh: run tools/SCRIPT with srun,
# one task per GPU.
#   tools/launchers/srun.sh PARTITION JOB_NAME SCRIPT [script arguments]
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS.
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
TOOLS="$(cd "$(dirname "$0")/.." && pwd)"

# SRUN_ARGS is split into words on purpose (several srun options)
PYTHONPATH="$TOOLS/..":${PYTHONPATH:-} \
exec srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="${GPUS:-8}" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    python -u "$TOOLS/$SCRIPT" "${@:4}" --launcher=slurm
