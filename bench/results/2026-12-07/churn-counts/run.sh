#!/usr/bin/env bash
# What the counts cost in watch churn: one binary (d765626 plus a
# temporary switch, EXP_NO_COUNTS, that stops the counts frames), with
# the counts (C) and without (X), interleaved, 60 s each, CPU per thread.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for run in ${RUNS:-C-1 X-1 X-2 C-2}; do
    if [ "${run%-*}" = X ]; then export EXP_NO_COUNTS=1; else unset EXP_NO_COUNTS; fi
    BIN=/work/bin-exp OUT="$OUT" LABEL="$run" nice -n 5 bash "$OUT/../churn-spacing/churn.sh" > "$OUT/churn-$run.txt" 2>&1 || echo "$run failed"
    rm -rf "$OUT/tmp-churn"
done
