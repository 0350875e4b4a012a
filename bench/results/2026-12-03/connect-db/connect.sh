#!/usr/bin/env bash
# connect at N sockets against BIN (presence) or node
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
OUT="${OUT:?}"; BENCH_TMP="$OUT/tmp-$LABEL"; mkdir -p "$BENCH_TMP"
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
if [ "$FLAVOR" = node ]; then start_node 4 "$BENCH_TMP/node"; else start_presence "$BIN/presence" "$BENCH_TMP/db" 4; fi
echo "== $LABEL load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/presence-bench" --url "$SERVER_URL" --server-pid "$SERVER_PID" --flavor "$FLAVOR" --label "$LABEL" \
    --json "$OUT/connect-$LABEL.json" connect --sockets "${N:-19900}" | grep -E "sockets/s|handshake.*p50|handshake.*p99|CPU µs|per socket KiB"
stop_server
