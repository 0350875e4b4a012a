#!/usr/bin/env bash
set -euo pipefail
BENCH_TMP=/tmp/prof/tmp
B=$BENCH_TMP/presence-bench
PORT=23456
( ulimit -n $(ulimit -Hn); BCRYPT_COST=4 exec node --perf-basic-prof /work/wt-node/bench/node-baseline/server.js $PORT > $BENCH_TMP/nperf.log 2>&1 ) &
PID=$!
trap "kill $PID" EXIT
until curl -s -o /dev/null http://127.0.0.1:$PORT/log_in/; do sleep 0.2; done
$B --url http://127.0.0.1:$PORT --server-pid $PID --flavor node connect --sockets 1000 --hold-secs 0 > /dev/null
perf record -F 999 -e cpu-clock -g -p $PID -o /tmp/prof/node-connect.data &
PERF=$!
sleep 1
$B --url http://127.0.0.1:$PORT --server-pid $PID --flavor node --label "node under perf" connect --sockets 5000 --hold-secs 0 | tee /tmp/prof/node-connect.txt
kill -INT $PERF; wait $PERF || true
