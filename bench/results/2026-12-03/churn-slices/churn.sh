#!/usr/bin/env bash
# churn watch mode at the issue's size against BIN (THREADS=1: and the
# CPU of each server thread, in threads-LABEL.txt)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
BIN="${BIN:?}" OUT="${OUT:?}"
BENCH_TMP="$OUT/tmp-churn"; mkdir -p "$BENCH_TMP"
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
start_presence "$BIN/presence" "$BENCH_TMP/db" 4
echo "== load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/presence-bench" --url "$SERVER_URL" --server-pid "$SERVER_PID" --label "churn ${LABEL:-}" \
    --json "$OUT/churn-${LABEL:-x}.json" \
    churn --observers "${N:-10000}" --watch 50 --changes "${C:-1000}" --secs "${SECS:-60}" --feed "${FEED:-watch}"
curl -s "$SERVER_URL/metrics" > "$OUT/metrics-${LABEL:-x}.txt"
if [ -n "${THREADS:-}" ]; then thread_cpu "$SERVER_PID" > "$OUT/threads-${LABEL:-x}.txt"; fi
stop_server
