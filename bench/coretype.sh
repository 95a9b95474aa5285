#!/bin/sh
# `vjepa bench` with OpenBLAS's kernel as this machine's environment leaves it and with OPENBLAS_CORETYPE
# set to each of CORETYPES (default: unset, then Haswell), interleaved K times; each JSON line names the
# core that actually ran (`gemm_core`, from openblas_get_corename) and the variable's value. This script
# sets OPENBLAS_CORETYPE for its own runs only; the project's tests and CI never do. Times nothing
# itself; run it on a quiet machine:
#   sh bench/coretype.sh [K]                     # K rounds (default 3)
#   CORETYPES="unset Haswell SkylakeX Zen" sh bench/coretype.sh
# Environment: RUNS (timed steps per run, default 20), THREADS (the pool's, default: the bench's default).
set -eu
cd "$(dirname "$0")/.."
K=${1:-3}
RUNS=${RUNS:-20}
CORETYPES=${CORETYPES:-unset Haswell}
THREADS_FLAG=""
[ -n "${THREADS:-}" ] && THREADS_FLAG="--threads $THREADS"
i=1
while [ "$i" -le "$K" ]; do
  for core in $CORETYPES; do
    if [ "$core" = unset ]; then
      env -u OPENBLAS_CORETYPE pnpm --silent bench --json --runs "$RUNS" $THREADS_FLAG
    else
      env OPENBLAS_CORETYPE="$core" pnpm --silent bench --json --runs "$RUNS" $THREADS_FLAG
    fi | grep '^{' | tail -n 1 | sed "s/^{/{\"coretype_asked\":\"$core\",\"round\":$i,/"
  done
  i=$((i + 1))
done
