#!/bin/sh
# The bench-config training step, ours beside the official one, interleaved K times on the same machine:
# each round runs `pnpm bench --json --runs RUNS` with the default threads and with --threads 1, then
# bench/official_step.py with 1 thread and with the default (every core). Prints one JSON line per run
# (its own line, tagged with the round and the setting) and, at the end, one summary line per setting
# with the median of the rounds' medians. Times nothing itself; run it on a quiet machine:
#   JEPA=/tmp/jepa sh bench/step-side-by-side.sh [K]        # K rounds (default 4)
# Environment: JEPA (a checkout of facebookresearch/jepa, required), RUNS (timed steps per run, default 20),
# PYTHON (default /usr/bin/python3), OFFICIAL_FLAGS (extra flags for official_step.py, e.g. --include-masks).
set -eu
cd "$(dirname "$0")/.."
K=${1:-4}
RUNS=${RUNS:-20}
PYTHON=${PYTHON:-/usr/bin/python3}
: "${JEPA:?set JEPA to a checkout of facebookresearch/jepa (see bench/README.md)}"
CORES=$(node -e 'console.log(require("os").availableParallelism())')
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# tag SETTING ROUND: prefixes a JSON line with the setting and the round.
tag() { sed -n "s/^{/{\"setting\":\"$1\",\"round\":$2,/p" | tail -n 1; }

i=1
while [ "$i" -le "$K" ]; do
  pnpm --silent bench --json --runs "$RUNS" | grep '^{' | tag ours-default "$i" | tee -a "$OUT"
  pnpm --silent bench --json --runs "$RUNS" --threads 1 | grep '^{' | tag ours-threads-1 "$i" | tee -a "$OUT"
  "$PYTHON" bench/official_step.py --jepa "$JEPA" --steps "$RUNS" --threads 1 ${OFFICIAL_FLAGS:-} | grep '^{' | tag official-threads-1 "$i" | tee -a "$OUT"
  "$PYTHON" bench/official_step.py --jepa "$JEPA" --steps "$RUNS" --threads "$CORES" ${OFFICIAL_FLAGS:-} | grep '^{' | tag "official-threads-$CORES" "$i" | tee -a "$OUT"
  i=$((i + 1))
done

# One summary line per setting: the median of the rounds' median_ms, and every round's.
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
for (const setting of [...new Set(lines.map((l) => l.setting))]) {
  const runs = lines.filter((l) => l.setting === setting);
  const ms = runs.map((l) => l.median_ms);
  const first = runs[0];
  console.log(JSON.stringify({ summary: setting, rounds: runs.length, median_of_medians_ms: median(ms), medians_ms: ms,
    threads: first.threads ?? null, gemm_core: first.gemm_core ?? null, openblas_coretype: first.openblas_coretype ?? null }));
}' "$OUT"
