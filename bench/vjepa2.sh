#!/bin/sh
# The V-JEPA 2 measurements of the root README, back to back on one machine (run it when the machine is quiet):
#   1. the ViT-L/16 V-JEPA 2 encoder, 16 × 256 × 256 (2,048 tokens), batch 1, random weights: this project
#      (bench/vjepa2-encoder.ts, wasm + native kernels) and the official vjepa2 code under torch 1.13
#      (bench/vjepa2_encoder.py, its SDPA shimmed with the plain formula) — time and peak RSS per clip;
#   2. `vjepa classify` end to end with the SSv2 protocol (2 segments × 3 views of 16 × 4 frames at 256 px) on a
#      random full-size ViT-L classifier written as a Hugging Face folder by writeRandomVjepa2Classifier
#      (examples/vjepa2-random), on a 100-frame 320 × 240 clip (ffmpeg testsrc2).
# One JSON line per measurement on stdout.
#   sh bench/vjepa2.sh [--tiny]        # --tiny: small stand-ins of everything (a smoke run of the script)
# Environment: VJEPA2_OFFICIAL (default /tmp/vjepa2, cloned from the mirror when missing), THREADS (default 1),
# WORK (default a fresh temporary folder), PYTHON (default /usr/bin/python3).
set -eu
cd "$(dirname "$0")/.."
TINY=""
[ "${1:-}" = "--tiny" ] && TINY="--tiny"
OFFICIAL=${VJEPA2_OFFICIAL:-/tmp/vjepa2}
THREADS=${THREADS:-1}
PYTHON=${PYTHON:-/usr/bin/python3}
WORK=${WORK:-$(mktemp -d)}
NODE="node --conditions=@vjepa/source --import tsx"
[ -d "$OFFICIAL" ] || git clone -q /work/.mirror/facebookresearch+vjepa2/repo "$OFFICIAL"

# 1. the encoder, ours then the official code
VJEPA_BLAS_THREADS=$THREADS $NODE bench/vjepa2-encoder.ts $TINY
"$PYTHON" bench/vjepa2_encoder.py --vjepa2 "$OFFICIAL" --threads "$THREADS" $TINY

# 2. vjepa classify, SSv2 protocol, random full-size classifier
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
/usr/bin/time -f '%e %M' -o "$WORK/time.txt" env VJEPA_BLAS_THREADS=$THREADS $NODE packages/cli/src/bin.ts classify "$WORK/clip.mp4" \
  --model "$WORK/classifier" $PROTOCOL --json --backend wasm > "$WORK/classify.json" 2> "$WORK/classify.err"
read -r WALL RSS < "$WORK/time.txt"
LINE=$(cat "$WORK/classify.json")
echo "{\"impl\":\"vjepa-ts\",\"what\":\"vjepa classify, SSv2 protocol\",\"tiny\":$([ -n "$TINY" ] && echo true || echo false),\"wall_s\":$WALL,\"peak_rss_mb\":$((RSS / 1024)),\"clips\":$(grep -c 'clip ' "$WORK/classify.err"),\"result\":$LINE}"
