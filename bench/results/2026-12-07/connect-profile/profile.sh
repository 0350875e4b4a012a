#!/usr/bin/env bash
# A profile of the connect phase alone: perf records the whole run, and the
# report keeps only the samples after the last bcrypt sample (the logins).
# BIN (dir with presence and presence-bench), OUT; PAGE=1 for `connect --page`.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
BIN="${BIN:?}" OUT="${OUT:?}"; BENCH_TMP=$OUT/tmp; mkdir -p "$BENCH_TMP"
B=$BIN/presence-bench; ulimit -n "$(ulimit -Hn)"
page=(); [ "${PAGE:-0}" = 1 ] && page=(--page)
trap stop_server EXIT
start_presence "$BIN/presence" "$BENCH_TMP/db" 4
# warm-up run: signs the users up
$B --url "$SERVER_URL" --server-pid "$SERVER_PID" connect --sockets "${N:-5000}" --hold-secs 0 > /dev/null
perf record -F 1999 -e cpu-clock --call-graph dwarf,16384 -p "$SERVER_PID" -o "$OUT/connect.data" 2>/dev/null &
PERF=$!
sleep 1
$B --url "$SERVER_URL" --server-pid "$SERVER_PID" --label "presence under perf" connect --sockets "${N:-5000}" --hold-secs 0 "${page[@]}" | tee "$OUT/connect.txt"
kill -INT $PERF; wait $PERF || true
last=$(perf script -i "$OUT/connect.data" -F time,ip,sym 2>/dev/null | awk '/^ *[0-9]+\.[0-9]+:/ {t=$1} /Blowfish/ {last=t} END {sub(":","",last); print last}')
start=$(awk -v t="$last" 'BEGIN {printf "%.6f", t + 0.3}')
echo "connect phase from $start" | tee "$OUT/window.txt"
perf report -i "$OUT/connect.data" --time "$start," --no-children --sort sym --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -60 > "$OUT/top-self.txt" || true
perf report -i "$OUT/connect.data" --time "$start," --children --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -150 > "$OUT/top-children.txt" || true
