#!/usr/bin/env bash
# Rounds 3 and 4: before (B), 5 ms spacing (A) and 10 ms spacing (T), interleaved, 60 s each.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for run in B-3 A-3 T-3 T-4 A-4 B-4; do
    side="${run%-*}"
    case "$side" in B) dir=/work/bin-before ;; A) dir=/work/bin-after ;; T) dir=/work/bin-after10 ;; esac
    BIN="$dir" OUT="$OUT" LABEL="$run" nice -n 5 bash "$OUT/churn.sh" > "$OUT/churn-$run.txt" 2>&1
done
