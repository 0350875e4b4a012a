#!/usr/bin/env bash
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
source $BENCH_DIR/lib.sh
BIN="${BIN:?}" OUT="${OUT:?}"; BENCH_TMP=$OUT/tmp-connect; mkdir -p $BENCH_TMP
B=$BIN/presence-bench; ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
start_presence $BIN/presence $BENCH_TMP/perfdb 4
# warm-up run: signs the users up
$B --url $SERVER_URL --server-pid $SERVER_PID connect --sockets 1000 --hold-secs 0 > /dev/null
perf record -F 999 -e cpu-clock --call-graph dwarf,8192 -p $SERVER_PID -o $OUT/presence-connect.data &
PERF=$!
sleep 1
$B --url $SERVER_URL --server-pid $SERVER_PID --label "presence under perf" connect --sockets 5000 --hold-secs 0 | tee $OUT/presence-connect.txt
kill -INT $PERF; wait $PERF || true
