#!/bin/sh
# `vjepa bench --interleave-threads 1,2`: the native kernels' pool at 1 thread and at 2 taking turns in
# blocks of 3 steps inside one process (so both sizes meet the same competitor and the same drift of the
# host), alone and beside a competing CPU-bound process (busy loops, started and killed by this script),
# K rounds. One JSON line per size and run, tagged with the round and whether the competitor ran, then one
# summary line per setting and the verdict: `--threads 2` beside the competitor never slower than
# `--threads 1` beside it (every round's ratio of medians ≤ 1). Beside the competitor each round also runs
# `--interleave-threads 1,1`, the A/A control: how far two series of the same pool differ by chance.
# Times nothing itself; run it on a quiet machine:
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

# run COMPETING ROUND SIZES
run() {
  if [ "$1" = true ]; then
    n=0
    while [ "$n" -lt "$COMPETITORS" ]; do
      sh -c 'while :; do :; done' &
      PIDS="$PIDS $!"
      n=$((n + 1))
    done
  fi
  pnpm --silent bench --json --runs "$RUNS" --interleave-threads "$3" | grep '^{' | awk '{ print NR - 1 "\t" $0 }' |
    sed "s/^\([0-9]*\)\t{/{\"sizes\":\"$3\",\"series\":\1,\"competing\":$1,\"competitors\":$([ "$1" = true ] && echo "$COMPETITORS" || echo 0),\"round\":$2,/" | tee -a "$OUT"
  stop
}

i=1
while [ "$i" -le "$K" ]; do
  run false "$i" 1,2
  run true "$i" 1,2
  run true "$i" 1,1
  i=$((i + 1))
done

node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const at = (sizes, competing, series) => lines.filter((l) => l.sizes === sizes && l.competing === competing && l.series === series);
// each round ran both series in one process: pair them by round
const ratios = (sizes, competing) => at(sizes, competing, 1).map((l) => +(l.median_ms / at(sizes, competing, 0).find((m) => m.round === l.round).median_ms).toFixed(3));
for (const competing of [false, true]) {
  for (const threads of [1, 2]) {
    const ms = at("1,2", competing, threads - 1).map((l) => l.median_ms);
    console.log(JSON.stringify({ summary: `threads ${threads}${competing ? " beside a competitor" : " alone"}`, threads, competing, median_of_medians_ms: median(ms), medians_ms: ms }));
  }
}
const alone = ratios("1,2", false), beside = ratios("1,2", true), control = ratios("1,1", true);
const spread = Math.max(...control.map((r) => Math.abs(r - 1)));
console.log(JSON.stringify({ summary: "threads 2 vs 1 alone", ratio: median(alone), round_ratios: alone }));
console.log(JSON.stringify({ summary: "A/A control beside a competitor: threads 1 vs threads 1", ratio: median(control), round_ratios: control, spread: +spread.toFixed(3) }));
console.log(JSON.stringify({ summary: "threads 2 vs 1 beside a competitor", ratio: median(beside), round_ratios: beside, never_slower: beside.every((r) => r <= 1), never_slower_beyond_control: beside.every((r) => r <= 1 + spread) }));
' "$OUT"
