#!/usr/bin/env bash
# Activity flips written in one statement with remembered account ids:
# before (A: d765626) and after (W), interleaved, issue 15's target run
# (watch mode, 10,000 × 50, 1,000 changes/s, 60 s), CPU per thread.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for run in ${RUNS:-A-1 W-1 W-2 A-2 A-3 W-3}; do
    dir=/work/bin-after; [ "${run%-*}" = W ] && dir=/work/bin-ids
    BIN="$dir" OUT="$OUT" LABEL="$run" nice -n 5 bash "$OUT/../churn-spacing/churn.sh" > "$OUT/churn-$run.txt" 2>&1 || echo "$run failed"
    rm -rf "$OUT/tmp-churn"
    echo "== $run"
    grep -E "== load|delivery p99 ms|CPU µs|CPU %|missing deliveries|staleness.*max" "$OUT/churn-$run.txt"
    head -3 "$OUT/threads-$run.txt"
done
