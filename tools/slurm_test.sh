#!/usr/bin/env bash
# Evaluation on a Slurm cluster, one task per GPU.
#   tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py options]
# Environment: GPUS (8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG CHECKPOINT [options]" >&2
    exit 2
fi
exec bash "$(dirname "$0")/launchers/srun.sh" "$1" "$2" test.py "$3" "$4" \
    "${@:5}"
