#!/usr/bin/env bash
# Issue 14's storm (1,000 observers) and connect (19,900 sockets) measures,
# before (B: bbca0b1) and after (A: writes 5 ms apart), interleaved.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
R="$OUT/../.."
for run in B-1 A-1 A-2 B-2; do
    side="${run%-*}"
    dir=/work/bin-before; [ "$side" = A ] && dir=/work/bin-after
    BIN="$dir" OUT="$OUT" N=1000 RUNS=1 nice -n 5 \
        bash "$R/2026-12-03/node-current/storm-drops/storm-metrics.sh" > "$OUT/storm-$run.txt" 2>&1
    BIN="$dir" OUT="$OUT" LABEL="$run" FLAVOR=presence nice -n 5 \
        bash "$R/2026-12-03/connect-db/connect.sh" > "$OUT/connect-$run.txt" 2>&1
done
