#!/usr/bin/env bash
# The full benchmark: presence, the Django Channels baseline and the Node.js
# (Express + ws) baseline, measured by the same generator in one run, so
# their ratios hold on a noisy machine.
#
#   bench/run.sh [MODE...]     modes: connect fanout storm login-storm page
#                              churn (default: all but churn)
#
# For every mode it starts each server afresh (same database, so users are
# reused), runs the generator against it, and stops it. The columns of a
# mode's table are, in order: presence at the baseline's sizes, Django with
# the in-memory layer, Django with channels_redis, Node at the baseline's
# sizes, presence at the issue's target sizes and Node at the same (plus a
# sweep of fanout sizes for presence and Node, to find the ceiling;
# for fanout, `tcp-floor` at the sweep's sizes and the target's: the
# kernel's floor, one write per socket per event and nothing else; and,
# for connect, `ws-floor` at the target size: actix-web and
# actix-web-actors alone, the floor under presence's memory per socket).
#
# Results: JSON and text per run, and results.md with the tables, in
# $BENCH_OUT (default target/bench-results/<UTC time>).
#
# Servers: presence --release with PRESENCE_GRACE_MS=0 (and the same
# PRESENCE_LOGIN_HOLD_MS: bench/lib.sh sets both), RUST_LOG=warn and
# BCRYPT_COST=4, except the login storm (BCRYPT_COST=$LOGIN_COST, default
# 12) and the page mode (PRESENCE_GRACE_MS=$PAGE_GRACE_MS, so that logins
# alone keep its online users online). Django runs under daphne with the
# MD5 hasher, except the login storm (Django's default PBKDF2). Node runs
# `node server.js` with bcrypt at presence's cost in every mode (4, or
# $LOGIN_COST in the login storm); its users live in memory, so each start
# signs them up again.
#
# Environment (sizes; P_ = presence at target size, B_ = baseline size,
# used for Django and for the first presence column):
#   P_CONNECT_SOCKETS  20000, capped by the open-file hard limit
#   B_CONNECT_SOCKETS  1000
#   P_FANOUT_OBSERVERS 10000   B_FANOUT_OBSERVERS 200   FANOUT_ROUNDS 20
#   FANOUT_SWEEP       "1000 2000 5000" (extra presence columns; "" for none)
#   P_STORM_OBSERVERS  1000    B_STORM_OBSERVERS 1000
#   STORM_TOGGLERS 16  STORM_SECS 10
#   P_LOGIN_OBSERVERS  1000    B_LOGIN_OBSERVERS 200
#   LOGIN_ROUNDS 20    LOGIN_CONCURRENCY 4   LOGIN_COST 12
#   P_PAGE_USERS 100000 P_PAGE_ONLINE 10000  B_PAGE_USERS 2000 B_PAGE_ONLINE 200
#   PAGE_SECS 10       PAGE_CONCURRENCY 4    PAGE_GRACE_MS 86400000
#   CHURN_OBSERVERS 10000 CHURN_WATCH 50 CHURN_CHANGES 1000 CHURN_SECS 60
#                      (presence only: the baselines have no watch; the
#                      full feed and watch mode run on the same sockets)
# Other:
#   BENCH_SKIP_DJANGO=1     no Django columns
#   BENCH_SKIP_NODE=1       no Node columns
#   BENCH_NODE_FULL=0       Node at the baseline's sizes only (not at the
#                           target sizes, nor in the fanout sweep)
#   BENCH_LAYERS            "memory redis"
#   BENCH_KEEP_TMP=1        keep the databases and server logs
#   BENCH_THREADS           generator threads (default 1)
#   BENCH_NOFILE            open-file hard limit to raise to (default 200000;
#                           needs root, otherwise the current one is kept)
#   CARGO_TARGET_DIR        honoured, e.g. to build apart from a busy target/
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

MODES=("$@")
[ ${#MODES[@]} -gt 0 ] || MODES=(connect fanout storm login-storm page)

# 20,000 sockets need more descriptors than the usual hard limit; root
# may raise it (up to fs.nr_open), and the servers and the generator
# started below inherit it.
ulimit -Hn "${BENCH_NOFILE:-200000}" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
FD_CAP=$(( $(ulimit -Hn) - 100 ))
cap() { if [ "$1" -gt "$FD_CAP" ]; then echo "$FD_CAP"; else echo "$1"; fi; }
P_CONNECT_SOCKETS="$(cap "${P_CONNECT_SOCKETS:-20000}")"
B_CONNECT_SOCKETS="${B_CONNECT_SOCKETS:-1000}"
P_FANOUT_OBSERVERS="$(cap "${P_FANOUT_OBSERVERS:-10000}")"
B_FANOUT_OBSERVERS="${B_FANOUT_OBSERVERS:-200}"
FANOUT_ROUNDS="${FANOUT_ROUNDS:-20}"
FANOUT_SWEEP="${FANOUT_SWEEP-1000 2000 5000}"
P_STORM_OBSERVERS="${P_STORM_OBSERVERS:-1000}"
B_STORM_OBSERVERS="${B_STORM_OBSERVERS:-1000}"
STORM_TOGGLERS="${STORM_TOGGLERS:-16}"
STORM_SECS="${STORM_SECS:-10}"
P_LOGIN_OBSERVERS="${P_LOGIN_OBSERVERS:-1000}"
B_LOGIN_OBSERVERS="${B_LOGIN_OBSERVERS:-200}"
LOGIN_ROUNDS="${LOGIN_ROUNDS:-20}"
LOGIN_CONCURRENCY="${LOGIN_CONCURRENCY:-4}"
LOGIN_COST="${LOGIN_COST:-12}"
P_PAGE_USERS="${P_PAGE_USERS:-100000}"
P_PAGE_ONLINE="${P_PAGE_ONLINE:-10000}"
B_PAGE_USERS="${B_PAGE_USERS:-2000}"
B_PAGE_ONLINE="${B_PAGE_ONLINE:-200}"
PAGE_SECS="${PAGE_SECS:-10}"
PAGE_CONCURRENCY="${PAGE_CONCURRENCY:-4}"
PAGE_GRACE_MS="${PAGE_GRACE_MS:-86400000}"
CHURN_OBSERVERS="$(cap "${CHURN_OBSERVERS:-10000}")"
CHURN_WATCH="${CHURN_WATCH:-50}"
CHURN_CHANGES="${CHURN_CHANGES:-1000}"
CHURN_SECS="${CHURN_SECS:-60}"
LAYERS=(${BENCH_LAYERS:-memory redis})
[ "${BENCH_SKIP_DJANGO:-0}" = 1 ] && LAYERS=()
NODE=1
[ "${BENCH_SKIP_NODE:-0}" = 1 ] && NODE=0
NODE_FULL="${BENCH_NODE_FULL:-1}"
[ "$NODE" = 1 ] || NODE_FULL=0
# The tables' columns come in the order of the report files' names.
export LC_COLLATE=C

OUT="${BENCH_OUT:-$ROOT/target/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
BENCH_TMP="$(mktemp -d /tmp/presence-bench.XXXXXX)"
export BASELINE_REDIS_PREFIX="presence-bench-$$"
cleanup() {
    stop_server
    if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then
        echo "run.sh: kept $BENCH_TMP" >&2
    else
        rm -rf "$BENCH_TMP"
    fi
}
trap cleanup EXIT

echo "run.sh: building (release)" >&2
(cd "$ROOT" && cargo build --release -p presence -p presence-bench)
# Frozen copies: others may rebuild target/ while this runs.
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cp "$TARGET_DIR/release/presence" "$TARGET_DIR/release/presence-bench" \
    "$TARGET_DIR/release/ws-floor" "$BENCH_TMP/"
PRESENCE="$BENCH_TMP/presence"
BENCH="$BENCH_TMP/presence-bench"
if [ ${#LAYERS[@]} -gt 0 ]; then
    "$BENCH_DIR/django-baseline/install.sh" >&2
fi
if [ "$NODE" = 1 ]; then
    "$BENCH_DIR/node-baseline/install.sh" >&2
fi

FAILED=()
# measure NAME MODE-ARGS...: runs the generator against the current server.
measure() {
    local name="$1"
    shift
    echo "run.sh: $name" >&2
    server_args
    if ! "$BENCH" --threads "${BENCH_THREADS:-1}" "${SERVER_ARGS[@]}" \
        --json "$OUT/$name.json" "$@" | tee "$OUT/$name.txt"; then
        FAILED+=("$name")
    fi
}

# on_presence NAME COST GRACE ARGS...: a fresh presence process, one run.
on_presence() {
    local name="$1" cost="$2" grace="$3"
    shift 3
    start_presence "$PRESENCE" "$BENCH_TMP/presence-cost$cost" "$cost" "$grace"
    measure "$name" "$@"
    stop_server
}

# on_django NAME LAYER HASHER ARGS...: a fresh daphne process, one run.
on_django() {
    local name="$1" layer="$2" hasher="$3"
    shift 3
    start_django "$layer" "$hasher" "$BENCH_TMP/django-$layer-$hasher"
    measure "$name" --flavor django --label "django-$layer" "$@"
    stop_server
}

# on_node NAME COST LABEL ARGS...: a fresh Node baseline process, one run.
on_node() {
    local name="$1" cost="$2" label="$3"
    shift 3
    start_node "$cost" "$BENCH_TMP/node-cost$cost"
    measure "$name" --flavor node --label "$label" "$@"
    stop_server
}

# run_mode MODE COST GRACE HASHER P-ARGS -- B-ARGS: the columns of one mode.
run_mode() {
    local mode="$1" cost="$2" grace="$3" hasher="$4"
    shift 4
    local p_args=() b_args=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do p_args+=("$1"); shift; done
    shift
    b_args=("$@")
    on_presence "$mode-1-presence-small" "$cost" "$grace" \
        --label "presence (baseline size)" "$mode" "${b_args[@]}"
    local i=2
    for layer in "${LAYERS[@]}"; do
        on_django "$mode-$i-django-$layer" "$layer" "$hasher" "$mode" "${b_args[@]}"
        i=$((i + 1))
    done
    if [ "$NODE" = 1 ]; then
        on_node "$mode-4-node-small" "$cost" "node (baseline size)" "$mode" "${b_args[@]}"
    fi
    on_presence "$mode-5-presence" "$cost" "$grace" --label presence "$mode" "${p_args[@]}"
    if [ "$NODE_FULL" = 1 ]; then
        on_node "$mode-5n-node" "$cost" node "$mode" "${p_args[@]}"
    fi
}

STARTED="$(date -u +%FT%TZ)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for mode in "${MODES[@]}"; do
    case "$mode" in
    connect)
        run_mode connect 4 0 fast --sockets "$P_CONNECT_SOCKETS" \
            -- --sockets "$B_CONNECT_SOCKETS"
        # presence's own page opens `/users/?watch`: a snapshot of nobody
        # rather than of everyone online (Node and Django ignore the query).
        on_presence connect-5p-presence-page 4 0 --label "presence (page's socket)" \
            connect --sockets "$P_CONNECT_SOCKETS" --page
        start_floor "$BENCH_TMP/ws-floor"
        measure connect-6-ws-floor --label "ws-floor (stack alone)" \
            connect --sockets "$P_CONNECT_SOCKETS"
        stop_server
        ;;
    fanout)
        run_mode fanout 4 0 fast --observers "$P_FANOUT_OBSERVERS" --rounds "$FANOUT_ROUNDS" \
            -- --observers "$B_FANOUT_OBSERVERS" --rounds "$FANOUT_ROUNDS"
        for n in $FANOUT_SWEEP; do
            on_presence "fanout-6-presence-$n" 4 0 --label "presence@$n" \
                fanout --observers "$n" --rounds "$FANOUT_ROUNDS"
        done
        if [ "$NODE_FULL" = 1 ]; then
            for n in $FANOUT_SWEEP; do
                on_node "fanout-6n-node-$n" 4 "node@$n" \
                    fanout --observers "$n" --rounds "$FANOUT_ROUNDS"
            done
        fi
        # The kernel's floor at the same sizes: one write per socket per
        # event from a bare writer process, no server at all.
        for n in $FANOUT_SWEEP "$P_FANOUT_OBSERVERS"; do
            # Zero-padded, so that the table's columns come in size order.
            measure "fanout-7-tcp-floor-$(printf %05d "$n")" --label "tcp-floor@$n" \
                tcp-floor --observers "$n" --rounds "$FANOUT_ROUNDS"
        done
        ;;
    storm)
        run_mode storm 4 0 fast \
            --observers "$P_STORM_OBSERVERS" --togglers "$STORM_TOGGLERS" --secs "$STORM_SECS" \
            -- --observers "$B_STORM_OBSERVERS" --togglers "$STORM_TOGGLERS" --secs "$STORM_SECS"
        ;;
    login-storm)
        run_mode login-storm "$LOGIN_COST" 0 default \
            --observers "$P_LOGIN_OBSERVERS" --rounds "$LOGIN_ROUNDS" --login-concurrency "$LOGIN_CONCURRENCY" \
            -- --observers "$B_LOGIN_OBSERVERS" --rounds "$LOGIN_ROUNDS" --login-concurrency "$LOGIN_CONCURRENCY"
        ;;
    page)
        run_mode page 4 "$PAGE_GRACE_MS" fast \
            --users "$P_PAGE_USERS" --online "$P_PAGE_ONLINE" --secs "$PAGE_SECS" --concurrency "$PAGE_CONCURRENCY" \
            -- --users "$B_PAGE_USERS" --online "$B_PAGE_ONLINE" --secs "$PAGE_SECS" --concurrency "$PAGE_CONCURRENCY"
        ;;
    churn)
        on_presence "churn-1-presence" 4 0 --label presence churn \
            --observers "$CHURN_OBSERVERS" --watch "$CHURN_WATCH" \
            --changes "$CHURN_CHANGES" --secs "$CHURN_SECS" --feed both
        ;;
    *)
        echo "run.sh: unknown mode $mode" >&2
        exit 2
        ;;
    esac
done

{
    echo "# presence-bench results"
    echo
    echo "- started $STARTED, finished $(date -u +%FT%TZ)"
    echo "- load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, Linux $(uname -r)"
    echo "- presence at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "- open-file hard limit: $(ulimit -Hn)"
    [ "$NODE" = 1 ] && echo "- Node.js $(node --version) (bench/node-baseline, versions pinned in its package-lock.json)"
    echo
    for mode in "${MODES[@]}"; do
        files=("$OUT/$mode"-*.json)
        [ -e "${files[0]}" ] && "$BENCH" table "${files[@]}"
    done
} >"$OUT/results.md"
cat "$OUT/results.md"
echo "run.sh: results in $OUT" >&2
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "run.sh: runs with failed checks: ${FAILED[*]}" >&2
fi
