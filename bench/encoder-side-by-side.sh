#!/bin/sh
# The V-JEPA 2 ViT-L/16 encoder forward (16 × 256 × 256, batch 1, random weights), ours
# (examples/vjepa2-random `encoder`) beside the official code (bench/vjepa2_encoder.py), interleaved K times,
# each with 1 thread and with every core (ours: the native kernels' pool, --threads; the official: torch
# and OpenBLAS threads). One JSON line per run, tagged with the setting and the round. Times nothing
# itself; run it on a quiet machine:
#   VJEPA2=/tmp/vjepa2 sh bench/encoder-side-by-side.sh [K]     # K rounds (default 2)
# Environment: VJEPA2 (a checkout of facebookresearch/vjepa2, required), RUNS (timed clips per run, default
# 3), SIZE (default vitl), FRAMES (16), PX (256), PYTHON (/usr/bin/python3), PYTHONPATH (for einops; see
# bench/README.md).
set -eu
cd "$(dirname "$0")/.."
K=${1:-2}
RUNS=${RUNS:-3}
SIZE=${SIZE:-vitl}
FRAMES=${FRAMES:-16}
PX=${PX:-256}
PYTHON=${PYTHON:-/usr/bin/python3}
: "${VJEPA2:?set VJEPA2 to a checkout of facebookresearch/vjepa2 (see bench/README.md)}"
CORES=$(node -e 'console.log(require("os").availableParallelism())')
tag() { grep '^{' | tail -n 1 | sed "s/^{/{\"setting\":\"$1\",\"round\":$2,/"; }
i=1
while [ "$i" -le "$K" ]; do
  for threads in 1 "$CORES"; do
    (cd examples/vjepa2-random && node --conditions=@vjepa/source --import tsx encoder.ts --size "$SIZE" --frames "$FRAMES" --px "$PX" --runs "$RUNS" --threads "$threads") | tag "ours-threads-$threads" "$i"
    "$PYTHON" bench/vjepa2_encoder.py --vjepa2 "$VJEPA2" --size "$SIZE" --frames "$FRAMES" --px "$PX" --runs "$RUNS" --threads "$threads" | tag "official-threads-$threads" "$i"
  done
  i=$((i + 1))
done
