#!/bin/sh
# `vjepa bench --interleave-threads 1,2`: the native kernels' pool at 1 thread and at 2 taking turns in
# blocks of 3 steps inside one process (so both sizes meet the same competitor and the same drift of the
# host), alone and beside a competing CPU-bound process (busy loops, started and killed by this script),
# K rounds. One JSON line per size and run, tagged with the round and whether the competitor ran, then one
# summary line per setting and the verdict: `--threads 2` beside the competitor never slower than
# `--threads 1` beside it (every round's ratio of medians ≤ 1). Times nothing itself; run it on a quiet machine:
#   sh bench/competing.sh [K]        # K rounds (default 3)
# Environment: RUNS (timed steps per size and run, default 30), COMPETITORS (busy loops beside, default 1).
set -eu
cd "$(dirname "$0")/.."
K=${1:-3}
RUNS=${RUNS:-30}
COMPETITORS=${COMPETITORS:-1}
OUT=$(mktemp)
PIDS=""
stop() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  for pid in $PIDS; do wait "$pid" 2>/dev/null || true; done
  PIDS=""
}
trap 'stop; rm -f "$OUT"' EXIT INT TERM

# run COMPETING ROUND
run() {
  if [ "$1" = true ]; then
    n=0
    while [ "$n" -lt "$COMPETITORS" ]; do
      sh -c 'while :; do :; done' &
      PIDS="$PIDS $!"
      n=$((n + 1))
    done
  fi
  pnpm --silent bench --json --runs "$RUNS" --interleave-threads 1,2 | grep '^{' |
    sed "s/^{/{\"competing\":$1,\"competitors\":$([ "$1" = true ] && echo "$COMPETITORS" || echo 0),\"round\":$2,/" | tee -a "$OUT"
  stop
}

i=1
while [ "$i" -le "$K" ]; do
  run false "$i"
  run true "$i"
  i=$((i + 1))
done

node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const at = (competing, threads) => lines.filter((l) => l.competing === competing && l.threads === threads);
const verdict = {};
for (const competing of [false, true]) {
  for (const threads of [1, 2]) {
    const ms = at(competing, threads).map((l) => l.median_ms);
    console.log(JSON.stringify({ summary: `threads ${threads}${competing ? " beside a competitor" : " alone"}`, threads, competing, median_of_medians_ms: median(ms), medians_ms: ms }));
  }
  // the rounds ran both sizes in one process: pair them by round
  const ratios = at(competing, 2).map((l) => +(l.median_ms / at(competing, 1).find((m) => m.round === l.round).median_ms).toFixed(3));
  verdict[competing] = { ratio: median(ratios), round_ratios: ratios };
}
console.log(JSON.stringify({ summary: "threads 2 vs 1 alone", ...verdict[false] }));
console.log(JSON.stringify({ summary: "threads 2 vs 1 beside a competitor", ...verdict[true], never_slower: verdict[true].round_ratios.every((r) => r <= 1) }));
' "$OUT"
