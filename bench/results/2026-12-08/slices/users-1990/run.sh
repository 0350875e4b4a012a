#!/usr/bin/env bash
# 19,900 sockets of 1,990 users (10 each, full feed: a snapshot of about
# 100 KB per socket), 2 KiB slices (B) against 3 KiB (A), interleaved.
#   BIN_B, BIN_A: dirs with presence and presence-bench.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$here/../../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
for round in 1 2; do
    for side in B A; do
        bin_var="BIN_$side"; bin="${!bin_var}"
        BENCH_TMP="$here/tmp-$side-$round"; mkdir -p "$BENCH_TMP"
        start_presence "$bin/presence" "$BENCH_TMP/db" 4
        echo "== $side-$round load $(cut -d' ' -f1-3 /proc/loadavg)"
        "$bin/presence-bench" --url "$SERVER_URL" --server-pid "$SERVER_PID" --label "$side-$round" \
            --json "$here/connect-$side-$round.json" connect --sockets 19900 --sockets-per-user 10 \
            | grep -E "sockets/s|handshake.*p99|CPU µs|per socket KiB|generator"
        stop_server
        rm -rf "$BENCH_TMP"
    done
done
