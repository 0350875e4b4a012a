#!/usr/bin/env bash
# churn watch mode at the issue's size against BIN
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
# CPU seconds per server thread over the whole run (utime + stime, by name).
for task in /proc/"$SERVER_PID"/task/*; do
    echo "$(cat "$task/comm") $(awk '{print ($14 + $15) / 100}' "$task/stat")"
done | awk '{cpu[$1] += $2} END {for (name in cpu) printf "%-24s %8.2f s\n", name, cpu[name]}' \
    | sort -k2 -n -r > "$OUT/threads-${LABEL:-x}.txt"
stop_server
