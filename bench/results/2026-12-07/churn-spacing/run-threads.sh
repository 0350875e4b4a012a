#!/usr/bin/env bash
# Rounds 5 and 6: before (B) and 5 ms spacing (A), with CPU per server thread.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for run in B-5 A-5 A-6 B-6; do
    side="${run%-*}"
    case "$side" in B) dir=/work/bin-before ;; A) dir=/work/bin-after ;; esac
    BIN="$dir" OUT="$OUT" LABEL="$run" nice -n 5 bash "$OUT/churn.sh" > "$OUT/churn-$run.txt" 2>&1
done
