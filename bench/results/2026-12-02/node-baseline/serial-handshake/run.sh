#!/usr/bin/env bash
# serial handshakes: presence and node, one at a time
set -euo pipefail
BENCH_DIR=/work/wt-node/bench
source $BENCH_DIR/lib.sh
OUT=/work/wt-node/bench/results/2026-12-02/node-baseline/handshake
mkdir -p $OUT
BENCH_TMP=/tmp/prof/tmp; mkdir -p $BENCH_TMP
cp /work/wt-node/target/release/presence /work/wt-node/target/release/presence-bench $BENCH_TMP/
B=$BENCH_TMP/presence-bench
trap stop_server EXIT
for n in "$@"; do
  start_presence $BENCH_TMP/presence $BENCH_TMP/p 4
  $B --url $SERVER_URL --server-pid $SERVER_PID --label "presence serial@$n" --json $OUT/serial-$n-presence.json connect --sockets $n --connect-concurrency 1 | tee $OUT/serial-$n-presence.txt
  stop_server
  start_node 4 $BENCH_TMP/n
  $B --url $SERVER_URL --server-pid $SERVER_PID --flavor node --label "node serial@$n" --json $OUT/serial-$n-node.json connect --sockets $n --connect-concurrency 1 | tee $OUT/serial-$n-node.txt
  stop_server
done
