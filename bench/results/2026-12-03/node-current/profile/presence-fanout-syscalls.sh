#!/usr/bin/env bash
# Counts presence's write-side system calls during one fan-out at N observers
# (perf stat on syscall tracepoints, started once the server holds N sockets):
# how many sends per delivery.   BIN=dir with presence and presence-bench  OUT=dir
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
N="${N:-5000}" ROUNDS="${ROUNDS:-20}"
BIN="${BIN:?}" OUT="${OUT:?}"
BENCH_TMP="$OUT/tmp-sys"; mkdir -p "$BENCH_TMP"
B="$BIN/presence-bench"
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
start_presence "$BIN/presence" "$BENCH_TMP/db" 4
"$B" --url "$SERVER_URL" --server-pid "$SERVER_PID" fanout --observers "$N" --rounds 2 > /dev/null
(
    until [ "$(ls /proc/"$SERVER_PID"/fd | wc -l)" -ge "$N" ]; do sleep 0.05; done
    exec perf stat -e 'syscalls:sys_enter_sendto,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex,task-clock,context-switches' \
        -p "$SERVER_PID" -o "$OUT/presence-fanout-syscalls.txt"
) &
PERF=$!
"$B" --url "$SERVER_URL" --server-pid "$SERVER_PID" --label "presence under perf stat" \
    fanout --observers "$N" --rounds "$ROUNDS" | tee "$OUT/presence-fanout-under-perf-stat.txt"
kill -INT "$PERF" 2>/dev/null || true
wait "$PERF" || true
