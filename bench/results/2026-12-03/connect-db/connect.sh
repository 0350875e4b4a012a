#!/usr/bin/env bash
# connect at N sockets against BIN (presence) or node; PAGE=1 opens the
# sockets as presence's page does (`connect --page`, added 2026-12-07)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source "$BENCH_DIR/lib.sh"
OUT="${OUT:?}"; BENCH_TMP="$OUT/tmp-$LABEL"; mkdir -p "$BENCH_TMP"
ulimit -n "$(ulimit -Hn)"
trap stop_server EXIT
if [ "$FLAVOR" = node ]; then start_node 4 "$BENCH_TMP/node"; else start_presence "$BIN/presence" "$BENCH_TMP/db" 4; fi
page=(); [ "${PAGE:-0}" = 1 ] && page=(--page)
echo "== $LABEL load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/presence-bench" --url "$SERVER_URL" --server-pid "$SERVER_PID" --flavor "$FLAVOR" --label "$LABEL" \
    --json "$OUT/connect-$LABEL.json" connect --sockets "${N:-19900}" "${page[@]}" \
    | grep -E "sockets/s|handshake.*p50|handshake.*p99|CPU µs|per socket KiB|generator"
stop_server
