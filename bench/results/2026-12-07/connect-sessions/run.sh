#!/usr/bin/env bash
# Sessions remembered on a single node: before (B, cbb12b8) and after (A),
# with the Node baseline (N), interleaved, `connect --sockets 19900` each,
# through the 2026-12-03 script.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$OUT/../../2026-12-03/connect-db/connect.sh"
for run in ${RUNS:-B-1 A-1 N-1 A-2 B-2 N-2}; do
    side="${run%-*}"
    case "$side" in
        B) BIN=/work/bin-before FLAVOR=presence ;;
        A) BIN=/work/bin-after FLAVOR=presence ;;
        N) BIN=/work/bin-after FLAVOR=node ;;
    esac
    BIN="$BIN" FLAVOR="$FLAVOR" OUT="$OUT" LABEL="$run" nice -n 5 bash "$SCRIPT" > "$OUT/connect-$run.txt" 2>&1 || echo "$run failed"
    cat "$OUT/connect-$run.txt"
done
