#!/bin/sh
# `vjepa bench` with the native kernels' pool at 1 thread and at 2, each alone and beside a competing
# CPU-bound process (one busy loop, started and killed by this script), interleaved K times. One JSON
# line per run, tagged with the thread count and whether the competitor ran, then one summary line per
# setting (median of the rounds' medians). The acceptance: `--threads 2` beside the competitor never
# slower than `--threads 1` beside it. Times nothing itself; run it on a quiet machine:
#   sh bench/competing.sh [K]        # K rounds (default 3)
# Environment: RUNS (timed steps per run, default 20), COMPETITORS (busy loops beside, default 1).
set -eu
cd "$(dirname "$0")/.."
K=${1:-3}
RUNS=${RUNS:-20}
COMPETITORS=${COMPETITORS:-1}
OUT=$(mktemp)
PIDS=""
stop() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
  PIDS=""
}
trap 'stop; rm -f "$OUT"' EXIT INT TERM

# run THREADS COMPETING ROUND
run() {
  if [ "$2" = true ]; then
    n=0
    while [ "$n" -lt "$COMPETITORS" ]; do
      sh -c 'while :; do :; done' &
      PIDS="$PIDS $!"
      n=$((n + 1))
    done
  fi
  pnpm --silent bench --json --runs "$RUNS" --threads "$1" | grep '^{' | tail -n 1 |
    sed "s/^{/{\"threads_flag\":$1,\"competing\":$2,\"competitors\":$([ "$2" = true ] && echo "$COMPETITORS" || echo 0),\"round\":$3,/" | tee -a "$OUT"
  stop
}

i=1
while [ "$i" -le "$K" ]; do
  run 1 false "$i"
  run 2 false "$i"
  run 1 true "$i"
  run 2 true "$i"
  i=$((i + 1))
done

node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const summary = {};
for (const competing of [false, true]) for (const threads of [1, 2]) {
  const ms = lines.filter((l) => l.competing === competing && l.threads_flag === threads).map((l) => l.median_ms);
  summary[`${threads}-${competing}`] = median(ms);
  console.log(JSON.stringify({ summary: `threads ${threads}${competing ? " beside a competitor" : " alone"}`, threads, competing, median_of_medians_ms: median(ms), medians_ms: ms }));
}
console.log(JSON.stringify({ summary: "threads 2 vs 1 beside a competitor", ratio: +(summary["2-true"] / summary["1-true"]).toFixed(3), never_slower: lines.filter((l) => l.competing && l.threads_flag === 2).every((l, i) => l.median_ms <= lines.filter((m) => m.competing && m.threads_flag === 1)[i].median_ms) }));
' "$OUT"
