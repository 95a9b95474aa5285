#!/bin/sh
# `vjepa classify` with the SSv2 protocol on a random full-size ViT-L classifier (bench/vjepa2-classify.sh) beside
# the official classification path on the same clip (bench/vjepa2_classify.py), each with 1 thread and with every
# core, interleaved K times. One JSON line per run, tagged with the setting and the round. Times nothing itself;
# run it on a quiet machine:
#   VJEPA2=/tmp/vjepa2 sh bench/classify-side-by-side.sh [K]     # K rounds (default 1)
# Environment: VJEPA2 (a checkout of facebookresearch/vjepa2, required), WORK (default a fresh temporary folder;
# keeps the 751 MB classifier between runs), PYTHON (/usr/bin/python3), PYTHONPATH (for einops; see bench/README.md).
set -eu
cd "$(dirname "$0")/.."
K=${1:-1}
PYTHON=${PYTHON:-/usr/bin/python3}
: "${VJEPA2:?set VJEPA2 to a checkout of facebookresearch/vjepa2 (see bench/README.md)}"
WORK=${WORK:-$(mktemp -d)}
export WORK
CORES=$(node -e 'console.log(require("os").availableParallelism())')
tag() { grep '^{' | tail -n 1 | sed "s/^{/{\"setting\":\"$1\",\"round\":$2,/"; }
i=1
while [ "$i" -le "$K" ]; do
  for threads in 1 "$CORES"; do
    THREADS=$threads sh bench/vjepa2-classify.sh | tag "ours-threads-$threads" "$i"
    "$PYTHON" bench/vjepa2_classify.py --vjepa2 "$VJEPA2" --video "$WORK/clip.mp4" --threads "$threads" | tag "official-threads-$threads" "$i"
  done
  i=$((i + 1))
done
