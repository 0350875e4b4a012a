#!/usr/bin/env bash
# (Copied from ../../2026-12-03/node-current/profile/, paths adjusted.)
# Profile presence's server during one fan-out at N observers (default 5,000),
# then tcp-floor at the same size, from the same binaries. perf starts once
# the server holds N sockets (counted in /proc/PID/fd), so the samples are
# the deliveries, not the opening of the sockets.
#   BIN=dir with presence and presence-bench   OUT=dir for perf.data and text
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
N="${N:-5000}" ROUNDS="${ROUNDS:-20}"
BIN="${BIN:?}" OUT="${OUT:?}"
BENCH_TMP="$OUT/tmp"; mkdir -p "$BENCH_TMP"
B="$BIN/presence-bench"
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
start_presence "$BIN/presence" "$BENCH_TMP/perfdb" 4
# warm-up: signs the users up (same prefix, so the measured run reuses them)
"$B" --url "$SERVER_URL" --server-pid "$SERVER_PID" fanout --observers "$N" --rounds 2 > "$OUT/warmup.txt"
(
    until [ "$(ls /proc/"$SERVER_PID"/fd | wc -l)" -ge "$N" ]; do sleep 0.05; done
    exec perf record -F 999 -e cpu-clock --call-graph dwarf,16384 -p "$SERVER_PID" -o "$OUT/presence-fanout.data"
) 2> "$OUT/perf-record.log" &
PERF=$!
"$B" --url "$SERVER_URL" --server-pid "$SERVER_PID" --label "presence under perf" \
    fanout --observers "$N" --rounds "$ROUNDS" | tee "$OUT/presence-fanout-under-perf.txt"
# the subshell execs perf, so $PERF is perf's own pid
kill -INT "$PERF" 2>/dev/null || true
wait "$PERF" || true
stop_server
"$B" --label "tcp-floor@$N" tcp-floor --observers "$N" --rounds "$ROUNDS" | tee "$OUT/tcp-floor-after.txt"
