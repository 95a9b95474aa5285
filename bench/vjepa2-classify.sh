#!/bin/sh
# `vjepa classify` end to end with the SSv2 protocol (2 segments × 3 views of 16 × 4 frames at 256 px) on a random
# full-size ViT-L classifier written as a Hugging Face folder by writeRandomVjepa2Classifier (examples/vjepa2-random,
# F16, 750 MB), on a 100-frame 320 × 240 clip (ffmpeg testsrc2): wall time and peak RSS (/usr/bin/time), the
# command's own ms (frames, models) and its result, as one JSON line. The encoder alone beside the official code:
# examples/vjepa2-random `encoder` and bench/vjepa2_encoder.py. Run it when the machine is quiet:
#   sh bench/vjepa2-classify.sh [--tiny]   # --tiny: the same classifier read at 32 px × 4 frames (a smoke run)
# Environment: THREADS (the native kernels' pool, VJEPA_THREADS; default: every core), WORK (default a fresh temporary folder; keeps the classifier between runs).
set -eu
cd "$(dirname "$0")/.."
TINY=""
[ "${1:-}" = "--tiny" ] && TINY="--tiny"
THREADS=${THREADS:-}
WORK=${WORK:-$(mktemp -d)}
NODE="node --conditions=@vjepa/source --import tsx"

if [ -n "$TINY" ]; then
  SIZE="--size vitl --image-size 32 --frames 4"
  PROTOCOL="--resolution 32 --frames 4 --frame-step 2"
  FRAMES=20
else
  SIZE="--size vitl"
  PROTOCOL=""
  FRAMES=100
fi
[ -f "$WORK/classifier/config.json" ] || (cd examples/vjepa2-random && $NODE main.ts --out "$WORK/classifier" $SIZE >&2)
ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=320x240:rate=25" -frames:v $FRAMES -c:v libx264 -pix_fmt yuv420p "$WORK/clip.mp4"
/usr/bin/time -f '%e %M' -o "$WORK/time.txt" env ${THREADS:+VJEPA_THREADS=$THREADS} $NODE packages/cli/src/bin.ts classify "$WORK/clip.mp4" \
  --model "$WORK/classifier" $PROTOCOL --json --backend wasm > "$WORK/classify.json" 2> "$WORK/classify.err"
read -r WALL RSS < "$WORK/time.txt"
LINE=$(cat "$WORK/classify.json")
echo "{\"impl\":\"vjepa-ts\",\"what\":\"vjepa classify, SSv2 protocol\",\"tiny\":$([ -n "$TINY" ] && echo true || echo false),\"wall_s\":$WALL,\"peak_rss_mb\":$((RSS / 1024)),\"clips\":$(grep -c 'clip ' "$WORK/classify.err"),\"result\":$LINE}"
