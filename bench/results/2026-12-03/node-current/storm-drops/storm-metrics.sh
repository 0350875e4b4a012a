#!/usr/bin/env bash
# One presence storm (default 200 observers), then the server's /metrics:
# which path cut the dropped observers (reason="slow": a courier found the
# outbox full; reason="stalled": no progress for the stall timeout).
#   BIN=dir with presence and presence-bench   OUT=dir   N=observers  RUNS=repeats
#   SERVER_NICE=n   renice every thread of the server to n (the generator keeps
#                   the script's niceness): a server that loses its core less
#                   often against a generator that loses it as often
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
N="${N:-200}" RUNS="${RUNS:-3}"
BIN="${BIN:?}" OUT="${OUT:?}"
BENCH_TMP="$OUT/tmp-storm"; mkdir -p "$BENCH_TMP"
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
for i in $(seq 1 "$RUNS"); do
    start_presence "$BIN/presence" "$BENCH_TMP/db" 4
    if [ -n "${SERVER_NICE:-}" ]; then
        for t in /proc/"$SERVER_PID"/task/*; do renice -n "$SERVER_NICE" -p "${t##*/}" > /dev/null; done
        echo "== server threads reniced to $SERVER_NICE: $(ps -L -o nice= -p "$SERVER_PID" | sort -u | xargs)"
    fi
    echo "== run $i, load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$BIN/presence-bench" --url "$SERVER_URL" --server-pid "$SERVER_PID" --label "presence storm $i" \
        storm --observers "$N" --togglers 16 --secs 10 | grep -E 'frames delivered/s|toggles/s|dropped|errors|loop lag|server CPU' || true
    curl -s "$SERVER_URL/metrics" | grep -E '^presence_(sockets_closed_total|frames_dropped_total|frames_sent_total)' || true
    stop_server
done
