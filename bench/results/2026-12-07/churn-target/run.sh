#!/usr/bin/env bash
# Issue 15's target run, repeated: watch mode, 10,000 × 50, 1,000
# changes/s, 60 s, against the release build of BIN (default
# /work/bin-after: d765626), CPU per thread.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for run in ${RUNS:-1 2 3 4}; do
    BIN="${BIN:-/work/bin-after}" OUT="$OUT" LABEL="$run" nice -n 5 bash "$OUT/../churn-spacing/churn.sh" > "$OUT/churn-$run.txt" 2>&1 || echo "$run failed"
    rm -rf "$OUT/tmp-churn"
    grep -E "== load|delivery p99 ms|CPU µs|CPU %|missing deliveries|staleness.*max" "$OUT/churn-$run.txt"
done
