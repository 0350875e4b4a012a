# Shell helpers shared by bench/run.sh and bench/ci-smoke.sh: starting and
# stopping the servers under test. Source it; it defines functions only.
#
# Every server gets a fresh port and its own files under $BENCH_TMP, and
# runs with the highest open-file limit this shell may set.

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 10000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "free_port: no free port found" >&2
    return 1
}

# wait_http URL PID: waits until URL answers, or fails if PID exits.
wait_http() {
    local url="$1" pid="$2"
    for _ in $(seq 1 600); do
        if curl -s -o /dev/null --max-time 2 "$url"; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "wait_http: server $pid exited before answering $url" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "wait_http: $url did not answer in 120 s" >&2
    return 1
}

# start_presence BIN DIR COST [GRACE_MS]: starts the presence binary BIN
# with its database in DIR (kept across restarts, so users are reused),
# bcrypt cost COST and grace GRACE_MS (default 0; the login hold too). Sets SERVER_PID and
# SERVER_URL.
start_presence() {
    local bin="$1" dir="$2" cost="$3" grace="${4:-0}" port
    port="$(free_port)"
    mkdir -p "$dir"
    (
        ulimit -n "$(ulimit -Hn)"
        export BIND_ADDR="127.0.0.1:$port"
        export DATABASE_URL="sqlite://$dir/presence.db?mode=rwc"
        export PRESENCE_GRACE_MS="$grace" PRESENCE_LOGIN_HOLD_MS="$grace" BCRYPT_COST="$cost"
        export RUST_LOG="${BENCH_RUST_LOG:-warn}"
        export SECRET_KEY="presence-bench-secret-key-0123456789abcdef"
        # The generator signs up and logs in thousands of users from a few
        # addresses: no per-address rate limits. The upgrade rate stays on,
        # set out of reach, so that its check is still paid for and measured.
        export SIGNUP_LIMIT=0 LOGIN_FAILURE_LIMIT=0 LOGIN_ADDRESS_FAILURE_LIMIT=0
        export WS_UPGRADES_PER_ADDRESS_PER_SEC=1000000
        exec "$bin" >>"$dir/server.log" 2>&1
    ) &
    SERVER_PID=$!
    SERVER_URL="http://127.0.0.1:$port"
    wait_http "$SERVER_URL/log_in/" "$SERVER_PID"
}

# start_django LAYER HASHER DIR: starts the Django baseline (daphne) with
# channel layer LAYER (memory|redis), hasher HASHER (fast|default) and its
# database in DIR. Sets SERVER_PID (daphne's own pid) and SERVER_URL.
start_django() {
    local layer="$1" hasher="$2" dir="$3" port
    port="$(free_port)"
    mkdir -p "$dir"
    (
        ulimit -n "$(ulimit -Hn)"
        export BASELINE_LAYER="$layer" BASELINE_HASHER="$hasher"
        export BASELINE_DB="$dir/db.sqlite3"
        export BASELINE_REDIS_PREFIX="${BASELINE_REDIS_PREFIX:-presence-bench-$$}"
        # run.sh execs daphne, so this pid is the server's.
        exec "$BENCH_DIR/django-baseline/run.sh" "$port" >>"$dir/server.log" 2>&1
    ) &
    SERVER_PID=$!
    SERVER_URL="http://127.0.0.1:$port"
    wait_http "$SERVER_URL/log_in/" "$SERVER_PID"
}

# start_node COST DIR: starts the Node.js baseline (bench/node-baseline,
# installed by its install.sh) with bcrypt cost COST and its log in DIR.
# Its users and sessions live in the process's memory, so every start
# begins with none (the generator signs them up again). Sets SERVER_PID
# (node's own pid) and SERVER_URL.
start_node() {
    local cost="$1" dir="$2" port
    port="$(free_port)"
    mkdir -p "$dir"
    (
        ulimit -n "$(ulimit -Hn)"
        export BCRYPT_COST="$cost"
        export SECRET_KEY="presence-bench-secret-key-0123456789abcdef"
        exec node "$BENCH_DIR/node-baseline/server.js" "$port" >>"$dir/server.log" 2>&1
    ) &
    SERVER_PID=$!
    SERVER_URL="http://127.0.0.1:$port"
    wait_http "$SERVER_URL/log_in/" "$SERVER_PID"
}

# start_floor BIN: starts `ws-floor` (bench/src/bin/ws_floor.rs), presence's
# web stack with nothing of presence in it. Sets SERVER_PID and SERVER_URL.
start_floor() {
    local bin="$1" port
    port="$(free_port)"
    (
        ulimit -n "$(ulimit -Hn)"
        export BIND_ADDR="127.0.0.1:$port"
        exec "$bin" >/dev/null 2>&1
    ) &
    SERVER_PID=$!
    SERVER_URL="http://127.0.0.1:$port"
    wait_http "$SERVER_URL/log_in/" "$SERVER_PID"
}

# server_args: sets SERVER_ARGS to the generator's options naming the
# current server, or to none when no server runs (tcp-floor needs none).
server_args() {
    SERVER_ARGS=()
    if [ -n "${SERVER_PID:-}" ]; then
        SERVER_ARGS=(--url "$SERVER_URL" --server-pid "$SERVER_PID")
    fi
}

# thread_cpu PID: CPU seconds (utime + stime) of each of PID's threads so
# far, summed by thread name, largest first.
thread_cpu() {
    local task
    for task in /proc/"$1"/task/*; do
        echo "$(cat "$task/comm") $(awk '{print ($14 + $15) / 100}' "$task/stat")"
    done | awk '{cpu[$1] += $2} END {for (name in cpu) printf "%-24s %8.2f s\n", name, cpu[name]}' \
        | sort -k2 -n -r
}

# stop_server: stops the server started last and waits for it.
stop_server() {
    if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
