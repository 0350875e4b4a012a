#!/usr/bin/env bash
# Watch-mode profile run: fresh presence server, 10,000 observers, watch only,
# perf attached ~15 s into the churn.
set -euo pipefail
BENCH_DIR=/work/wt-b15/bench
source $BENCH_DIR/lib.sh
T=/tmp/b15prof/tmp; mkdir -p $T
cp /work/b15-target/release/presence /work/b15-target/release/presence-bench $T/
B=$T/presence-bench
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
start_presence $T/presence $T/db 4
echo "server pid $SERVER_PID"
FEED=${FEED:-watch}
$B --url $SERVER_URL --server-pid $SERVER_PID --label "presence under perf ($FEED)" churn \
   --observers ${OBS:-10000} --watch 50 --changes 1000 --secs ${SECS:-40} --feed $FEED > /tmp/b15prof/churn-$FEED-under-perf.txt 2>&1 &
GEN=$!
# wait until the churn starts: server CPU rises after sockets opened; crude: wait for 'opening' to finish
while ! grep -q . /tmp/b15prof/started-$FEED 2>/dev/null; do
  sleep 1
  # the generator prints nothing until done; detect sockets via /proc fd count
  n=$(ls /proc/$SERVER_PID/fd 2>/dev/null | wc -l)
  if [ "$n" -ge "${OBS:-10000}" ]; then echo "fds $n at $(date +%T)" > /tmp/b15prof/started-$FEED; fi
done
sleep ${PRE:-15}
date +%T
perf record -F 999 -e cpu-clock --call-graph dwarf,16384 -p $SERVER_PID -o /tmp/b15prof/$FEED.data -- sleep 15 2>/tmp/b15prof/perf-$FEED.err
date +%T
wait $GEN || true
