#!/usr/bin/env bash
# The frame budget's rate limiter on the monotonic clock: before (P,
# 51b46f7) and after (Q), with the Node baseline (N), interleaved,
# `connect --sockets 19900` each, through the 2026-12-03 script. Rounds
# 3 and 4 (RUNS="A-3 P-3 Q-3 N-3 Q-4 P-4 A-4 N-4") add A, d765626, from
# before the flips were written in one statement.
set -euo pipefail
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$OUT/../../2026-12-03/connect-db/connect.sh"
for run in ${RUNS:-P-1 Q-1 N-1 Q-2 P-2 N-2}; do
    case "${run%-*}" in
        A) BIN=/work/bin-after FLAVOR=presence ;;
        P) BIN=/work/bin-ids FLAVOR=presence ;;
        Q) BIN=/work/bin-clock FLAVOR=presence ;;
        N) BIN=/work/bin-clock FLAVOR=node ;;
    esac
    BIN="$BIN" FLAVOR="$FLAVOR" OUT="$OUT" LABEL="$run" nice -n 5 bash "$SCRIPT" > "$OUT/connect-$run.txt" 2>&1 || echo "$run failed"
    rm -rf "$OUT/tmp-$run"
    cat "$OUT/connect-$run.txt"
done
