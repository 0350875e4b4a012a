#!/usr/bin/env bash
# CI smoke test of the load generator: builds the bench crate and the
# server (debug), starts a fresh presence (SQLite in a temp dir, grace 0,
# bcrypt cost 4), and runs every mode for a few seconds with small sizes.
# Then it drives the Node.js baseline (bench/node-baseline, installed with
# npm ci when needed) through connect, fanout and storm, so that it cannot
# rot unnoticed. Fails if a mode fails: an error, a missing delivery, a
# dropped reader, a failed login or page. Targets are not checked here
# (see run.sh).
#
#   bench/ci-smoke.sh            (PROFILE=release for an optimised build;
#                                 BENCH_SKIP_NODE=1 to leave Node out)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

PROFILE="${PROFILE:-dev}"
TARGET_SUBDIR=debug
[ "$PROFILE" = release ] && TARGET_SUBDIR=release
(cd "$ROOT" && cargo build --profile "$PROFILE" -p presence -p presence-bench)

BENCH_TMP="$(mktemp -d /tmp/presence-smoke.XXXXXX)"
trap 'stop_server; rm -rf "$BENCH_TMP"' EXIT
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cp "$TARGET_DIR/$TARGET_SUBDIR/presence" "$TARGET_DIR/$TARGET_SUBDIR/presence-bench" \
    "$TARGET_DIR/$TARGET_SUBDIR/ws-floor" "$BENCH_TMP/"
BENCH="$BENCH_TMP/presence-bench"

FAILED=()
smoke() {
    local name="$1"
    shift
    echo "ci-smoke: $name" >&2
    server_args
    if ! timeout 120 "$BENCH" "${SERVER_ARGS[@]}" \
        --prefix smoke --json "$BENCH_TMP/$name.json" "$@"; then
        FAILED+=("$name")
    fi
}

start_presence "$BENCH_TMP/presence" "$BENCH_TMP/db" 4
smoke connect connect --sockets 500 --hold-secs 1
smoke connect-page connect --sockets 300 --hold-secs 1 --page
smoke fanout fanout --observers 300 --rounds 10 --pause-ms 50
smoke storm storm --observers 200 --togglers 4 --secs 8
smoke login-storm login-storm --observers 200 --rounds 3 --blocks 2 --login-concurrency 2
smoke churn churn --observers 200 --watch 20 --changes 50 --secs 3
smoke login-storm-spinner login-storm --observers 100 --rounds 2 --blocks 2 \
    --login-concurrency 0 --idle-spinner
stop_server
# Logins keep the page's online users online for the grace period.
start_presence "$BENCH_TMP/presence" "$BENCH_TMP/db" 4 600000
smoke page page --users 300 --online 50 --secs 5
stop_server
start_floor "$BENCH_TMP/ws-floor"
smoke ws-floor connect --sockets 300 --hold-secs 1
stop_server
if [ "${BENCH_SKIP_NODE:-0}" != 1 ]; then
    "$BENCH_DIR/node-baseline/install.sh" >&2
    start_node 4 "$BENCH_TMP/node"
    smoke node-connect --flavor node connect --sockets 300 --hold-secs 1
    smoke node-fanout --flavor node fanout --observers 200 --rounds 5 --pause-ms 50
    smoke node-storm --flavor node storm --observers 100 --togglers 4 --secs 5
    stop_server
fi
# No server: tcp-floor starts its own writer process.
smoke tcp-floor tcp-floor --observers 300 --rounds 10 --pause-ms 50

"$BENCH" table "$BENCH_TMP"/*.json
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "ci-smoke: FAILED: ${FAILED[*]}" >&2
    exit 1
fi
echo "ci-smoke: all modes passed" >&2
