#!/usr/bin/env bash
# Distributed training with torchrun, one process per GPU (or per CPU rank
# with the gloo backend when there is no GPU).
#   tools/dist_train.sh CONFIG GPUS [train.py options]
# Environment: NNODES (1), NODE_RANK (0), PORT (29500),
# MASTER_ADDR (127.0.0.1).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG GPUS [train.py options]" >&2
    exit 2
fi
exec bash "$(dirname "$0")/launchers/torchrun.sh" "$2" train.py "$1" \
    --launcher pytorch "${@:3}"
