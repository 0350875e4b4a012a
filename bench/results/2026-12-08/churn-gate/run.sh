#!/usr/bin/env bash
# Issue 15's target run (10,000 observers on `/users/?watch`, 50 watched
# each, 1,000 changes/s, 60 s) before (B, 4d8e0b5) and after (A, a3dc84a)
# the session gate and 3 KiB slices, interleaved: B A B A. RUNS picks the
# runs; D is d765626, the code of 2026-12-07's afternoon target runs (the
# second sitting ran RUNS="D-1 A-3 D-2 A-4").
#   BIN_B, BIN_A, BIN_D: dirs with presence and presence-bench.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
churn="$here/../../2026-12-07/churn-spacing/churn.sh"
for run in ${RUNS:-B-1 A-1 B-2 A-2}; do
    side="${run%%-*}"; bin_var="BIN_$side"
    BIN="${!bin_var}" OUT="$here" LABEL="$run" nice -n -5 bash "$churn" 2>&1 | tail -n 30 > "$here/$run.txt"
    rm -rf "$here/tmp-churn"
    grep -E "p99|CPU|stale|missing" "$here/$run.txt" | head -8 | sed "s/^/$run /"
done
