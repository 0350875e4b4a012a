#!/usr/bin/env bash
# Two presence builds, measured alternately by one generator: connect and
# fanout, BEFORE then AFTER, repeated, each run on a fresh server with a
# fresh SQLite database. Prints (and writes to summary.md) the median and
# the range (min-max) of every figure per side.
#
#   bench/before-after.sh BEFORE_BIN AFTER_BIN GENERATOR_BIN
#
# Environment: REPS (3), CONNECT_SOCKETS (5000), FANOUT_SIZES ("1000 5000"),
# FANOUT_ROUNDS (20), BENCH_OUT (target/bench-results/before-after-<time>).
# The servers start as in bench/lib.sh (grace 0, RUST_LOG=warn, sign-up and
# login throttles off, WS_UPGRADES_PER_ADDRESS_PER_SEC=1000000), with
# BCRYPT_COST=4 and the socket caps below: on, and out of the generator's
# reach (it holds 50 sockets per user, all on one login). A build without
# the caps ignores these variables.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

[ $# -eq 3 ] || { sed -n '2,15p' "$0" >&2; exit 2; }
REPS="${REPS:-3}"
CONNECT_SOCKETS="${CONNECT_SOCKETS:-5000}"
FANOUT_SIZES="${FANOUT_SIZES:-1000 5000}"
FANOUT_ROUNDS="${FANOUT_ROUNDS:-20}"
OUT="${BENCH_OUT:-$(dirname "$BENCH_DIR")/target/bench-results/before-after-$(date -u +%Y%m%dT%H%M%SZ)}"
export WS_MAX_SOCKETS_PER_LOGIN=100 WS_MAX_SOCKETS_PER_USER=300 WS_STALL_TIMEOUT_MS=30000

ulimit -Hn "${BENCH_NOFILE:-200000}" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
mkdir -p "$OUT"
BENCH_TMP="$(mktemp -d /tmp/presence-before-after.XXXXXX)"
trap 'stop_server; rm -rf "$BENCH_TMP"' EXIT
# Frozen copies: the builds may change while this runs.
cp "$1" "$BENCH_TMP/before"
cp "$2" "$BENCH_TMP/after"
cp "$3" "$BENCH_TMP/presence-bench"

CASES=("connect --sockets $CONNECT_SOCKETS")
for n in $FANOUT_SIZES; do CASES+=("fanout --observers $n --rounds $FANOUT_ROUNDS"); done

FAILED=()
{
    echo "started $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), Linux $(uname -r)"
    echo "before: $(sha256sum "$1" | cut -c1-12) $1"
    echo "after:  $(sha256sum "$2" | cut -c1-12) $2"
} >"$OUT/runs.log"
for rep in $(seq 1 "$REPS"); do
    for case in "${CASES[@]}"; do
        read -r mode _ size _ <<<"$case"
        for side in before after; do
            name="$mode-$size-$side-$rep"
            echo "before-after.sh: $name" >&2
            start_presence "$BENCH_TMP/$side" "$BENCH_TMP/db-$name" 4 0
            # shellcheck disable=SC2086 # $case is the mode and its options
            if ! "$BENCH_TMP/presence-bench" --url "$SERVER_URL" --server-pid "$SERVER_PID" \
                --label "$side" --json "$OUT/$name.json" $case >"$OUT/$name.txt"; then
                FAILED+=("$name")
            fi
            # Refusals and cuts, to show that no cap was met.
            curl -s "$SERVER_URL/metrics" \
                | grep -E '^presence_(sockets_refused|password_queue_refusals|sockets_closed)' \
                >"$OUT/$name.metrics" || true
            stop_server
            rm -rf "$BENCH_TMP/db-$name"
            echo "$(date -u +%T) $name load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/runs.log"
        done
    done
done

# Median, min and max of every figure, per case and side.
KEYS='sockets_per_sec handshake_p50_ms handshake_p99_ms first_frame_p99_ms
      rss_per_socket_kib server_us_per_socket
      delivery_p50_ms delivery_p99_ms last_p50_ms last_p99_ms server_us_per_delivery missing dropped'
rows() {
    jq -rs --arg keys "$KEYS" '
        def med: sort | if length % 2 == 1 then .[(length - 1) / 2] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        ($keys | [splits("\\s+")] | map(select(length > 0))) as $k
        | group_by(.mode + " " + .params[0])[] as $runs | $k[] as $key
        | ["before", "after"] | map(. as $side
            | [$runs[] | select(.label == $side) | .metrics[] | select(.key == $key) | .value]) as [$b, $a]
        | select(($b | length) > 0 and ($a | length) > 0)
        | [$runs[0].mode + " " + $runs[0].params[0], $key, ($b | med, min, max), ($a | med, min, max)] | @tsv
    ' "$OUT"/*.json | awk -F'\t' '
        function f(x) { return x == 0 ? "0" : x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
        { d = $3 > 0 ? sprintf("%+.1f%%", ($6 / $3 - 1) * 100) : "-"
          printf "| %s | %s | %s (%s-%s) | %s (%s-%s) | %s |\n", $1, $2, f($3), f($4), f($5), f($6), f($7), f($8), d }
    '
}
{
    echo "| case | figure | BEFORE median (min-max) | AFTER median (min-max) | AFTER vs BEFORE |"
    echo "|---|---|---|---|---|"
    rows
    echo
    echo "$REPS runs per side and case; finished $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
    refused="$(cat "$OUT"/*.metrics | grep -E '^presence_(sockets_refused|password_queue_refusals)' \
        | awk '{s += $NF} END {print s + 0}' || true)"
    echo "refusals (presence_sockets_refused_total + presence_password_queue_refusals_total, all runs): $refused"
    echo "runs with failed checks: ${FAILED[*]:-none}"
} >"$OUT/summary.md"
cat "$OUT/summary.md"
