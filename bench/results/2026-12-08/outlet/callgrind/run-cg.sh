#!/bin/bash
# run-cg.sh SIDE BIN: presence under callgrind (user-space instructions,
# repeatable whatever else the machine does), one `fanout --observers N
# --rounds R` (N=200, R=10 by default; the recorded runs used N=1000 R=20),
# the callgrind output in /tmp/cg. GEN: the generator.
set -euo pipefail
side=$1; bin=$2; port=$((30000 + RANDOM % 5000))
mkdir -p /tmp/cg; rm -rf /tmp/cg/db-$side; mkdir -p /tmp/cg/db-$side
export BIND_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite:///tmp/cg/db-$side/p.db?mode=rwc"
export PRESENCE_GRACE_MS=0 PRESENCE_LOGIN_HOLD_MS=0 BCRYPT_COST=4 RUST_LOG=warn
export SECRET_KEY="presence-bench-secret-key-0123456789abcdef" SIGNUP_LIMIT=0 LOGIN_FAILURE_LIMIT=0 LOGIN_ADDRESS_FAILURE_LIMIT=0 WS_UPGRADES_PER_ADDRESS_PER_SEC=1000000
valgrind --tool=callgrind --callgrind-out-file=/tmp/cg/cg-$side.out --dump-instr=no --collect-atstart=yes "$bin" > /tmp/cg/server-$side.log 2>&1 &
pid=$!
for i in $(seq 1 300); do curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/log_in/" && break; sleep 0.5; done
${GEN:-/tmp/binA/presence-bench} --threads 1 --url "http://127.0.0.1:$port" --server-pid $pid --json /tmp/cg/fanout-$side.json --label $side fanout --observers ${N:-200} --rounds ${R:-10} > /tmp/cg/fanout-$side.txt 2>&1 || echo "bench failed"
kill -INT $pid; wait $pid || true
