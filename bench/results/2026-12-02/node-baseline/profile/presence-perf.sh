#!/usr/bin/env bash
set -euo pipefail
BENCH_DIR=/work/wt-node/bench
source $BENCH_DIR/lib.sh
BENCH_TMP=/tmp/prof/tmp; mkdir -p $BENCH_TMP
B=$BENCH_TMP/presence-bench
trap stop_server EXIT
start_presence $BENCH_TMP/presence $BENCH_TMP/perfdb 4
# warm-up run: signs the users up
$B --url $SERVER_URL --server-pid $SERVER_PID connect --sockets 1000 --hold-secs 0 > /dev/null
perf record -F 999 -e cpu-clock --call-graph dwarf,8192 -p $SERVER_PID -o /tmp/prof/presence-connect.data &
PERF=$!
sleep 1
$B --url $SERVER_URL --server-pid $SERVER_PID --label "presence under perf" connect --sockets 5000 --hold-secs 0 | tee /tmp/prof/presence-connect.txt
kill -INT $PERF; wait $PERF || true
