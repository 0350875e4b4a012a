#!/usr/bin/env bash
# Before (B: bbca0b1) and after (A: the write spacing) interleaved, 60 s each.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for round in 1 2; do
    for side in B A; do
        dir=/work/bin-before; [ "$side" = A ] && dir=/work/bin-after
        BIN="$dir" OUT="$OUT" LABEL="$side-$round" nice -n 5 bash "$OUT/churn.sh" > "$OUT/churn-$side-$round.txt" 2>&1
    done
done
