#!/usr/bin/env bash
# The session gate (2026-12-08): fan-out before (B) and after (A) the
# outlet stopped polling each session's context on every pull, against
# the kernel's floor, interleaved in each round.
#   B_BIN, A_BIN: directories with the two `presence` builds.
#   GEN: the `presence-bench` generator.
#   ROUNDS (3), SIZES ("1000 5000 10000"), FANOUT_ROUNDS (20).
# Writes <round>-<side>-<size>.json/.txt here and prints summary.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$HERE/../../.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
ROUNDS="${ROUNDS:-3}"
SIZES="${SIZES:-1000 5000 10000}"
FANOUT_ROUNDS="${FANOUT_ROUNDS:-20}"
ulimit -Hn 200000 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
BENCH_TMP="$(mktemp -d /tmp/presence-outlet.XXXXXX)"
trap 'stop_server; rm -rf "$BENCH_TMP"' EXIT
cp "$B_BIN/presence" "$BENCH_TMP/B"
cp "$A_BIN/presence" "$BENCH_TMP/A"
cp "$GEN" "$BENCH_TMP/gen"
{
    echo "started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
    echo "B: $(sha256sum "$BENCH_TMP/B" | cut -c1-12)  A: $(sha256sum "$BENCH_TMP/A" | cut -c1-12)"
} >"$HERE/runs.log"
for round in $(seq 1 "$ROUNDS"); do
    for n in $SIZES; do
        for side in B A floor; do
            name="$round-$side-$n"
            if [ "$side" = floor ]; then
                SERVER_PID=""
                "$BENCH_TMP/gen" --threads 1 --json "$HERE/$name.json" --label "tcp-floor@$n" \
                    tcp-floor --observers "$n" --rounds "$FANOUT_ROUNDS" >"$HERE/$name.txt"
            else
                start_presence "$BENCH_TMP/$side" "$BENCH_TMP/db-$side" 4 0
                "$BENCH_TMP/gen" --threads 1 --url "$SERVER_URL" --server-pid "$SERVER_PID" \
                    --json "$HERE/$name.json" --label "$side@$n" \
                    fanout --observers "$n" --rounds "$FANOUT_ROUNDS" >"$HERE/$name.txt"
                stop_server
            fi
            echo "$(date -u +%T) $name load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$HERE/runs.log"
        done
    done
done
# p99 and CPU per delivery, per round and size; A / floor and B / floor.
{
    echo "| round | observers | B p99 ms | A p99 ms | floor p99 ms | B / floor | A / floor | B µs/delivery | A µs/delivery | floor µs/delivery |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for round in $(seq 1 "$ROUNDS"); do
        for n in $SIZES; do
            get() { jq -r --arg k "$2" '.metrics[] | select(.key == $k) | .value' "$HERE/$round-$1-$n.json"; }
            b="$(get B delivery_p99_ms)" a="$(get A delivery_p99_ms)" f="$(get floor delivery_p99_ms)"
            awk -v r="$round" -v n="$n" -v b="$b" -v a="$a" -v f="$f" \
                -v bc="$(get B server_us_per_delivery)" -v ac="$(get A server_us_per_delivery)" \
                -v fc="$(get floor server_us_per_delivery)" \
                'BEGIN { printf "| %s | %s | %.1f | %.1f | %.1f | %.2f | %.2f | %.1f | %.1f | %.1f |\n", r, n, b, a, f, b / f, a / f, bc, ac, fc }'
        done
    done
    echo
    echo "finished $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$HERE/summary.md"
cat "$HERE/summary.md"
