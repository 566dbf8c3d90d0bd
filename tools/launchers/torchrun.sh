#!/usr/bin/env bash
# Shared by dist_train.sh and dist_test.sh: run tools/SCRIPT under torchrun.
#   tools/launchers/torchrun.sh NPROC SCRIPT [script arguments]
# Environment: NNODES (1), NODE_RANK (0), PORT (29500),
# MASTER_ADDR (127.0.0.1).
set -euo pipefail
NPROC=$1
SCRIPT=$2
TOOLS="$(cd "$(dirname "$0")/.." && pwd)"

PYTHONPATH="$TOOLS/..":${PYTHONPATH:-} \
exec python -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$NPROC" \
    --master_port="${PORT:-29500}" \
    "$TOOLS/$SCRIPT" "${@:3}"
