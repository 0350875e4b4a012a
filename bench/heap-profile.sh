#!/usr/bin/env bash
# Heap profile of a connect run: which call sites hold the live bytes of
# the open sockets. Needs a presence binary built with the `heap-profile`
# feature (jemalloc's sampling profiler and statistics, off by default):
#
#   cargo build --release -p presence -p presence-bench --features heap-profile
#   bench/heap-profile.sh PROFILE_BIN GENERATOR_BIN OUT_DIR [SOCKETS]
#
# With the sockets open and held it has the server dump jemalloc's profile
# and print its statistics (SIGUSR2, src/heap_profile.rs), saves the
# process's smaps_rollup, and writes jeprof's reports of the growth since a
# dump taken before the generator started (`growth-collapsed.txt` is the
# input of bench/heap-owners.py). Needs jeprof (Debian's libjemalloc-dev).
# Environment: STATS_ONLY=1 (no profiler: statistics and RSS only),
# EXTRA_MALLOC_CONF (more jemalloc settings), KEEP_PROFILES (a directory
# for the two raw profiles).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

[ $# -ge 3 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
BIN="$1" GEN="$2" OUT="$3" SOCKETS="${4:-5000}"
mkdir -p "$OUT"
ulimit -Hn "${BENCH_NOFILE:-200000}" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
BENCH_TMP="$(mktemp -d /tmp/presence-heap.XXXXXX)"
trap 'stop_server; rm -rf "$BENCH_TMP"' EXIT
cp "$BIN" "$BENCH_TMP/presence"

# One sample every 2^12 bytes on average: per-site totals are estimates,
# good to a few percent at tens of megabytes. A sampled small allocation
# gets a page-aligned large extent of its own, so RSS and the statistics
# of a profiled run are not those of a normal one: STATS_ONLY=1 runs
# without the profiler, for the statistics and RSS alone.
PROF=true
[ -n "${STATS_ONLY:-}" ] && PROF=false
export _RJEM_MALLOC_CONF="prof:$PROF,prof_active:true,lg_prof_sample:12,prof_prefix:$BENCH_TMP/jeprof${EXTRA_MALLOC_CONF:+,$EXTRA_MALLOC_CONF}"
start_presence "$BENCH_TMP/presence" "$BENCH_TMP/db" 4 0

# dump: has the server dump a profile (and print its statistics to its
# log); prints the profile's path.
dump() {
    local before
    if [ "$PROF" = false ]; then
        kill -USR2 "$SERVER_PID"
        sleep 1
        return 0
    fi
    before="$(find "$BENCH_TMP" -maxdepth 1 -name 'jeprof.*.heap' | wc -l)"
    kill -USR2 "$SERVER_PID"
    for _ in $(seq 1 100); do
        [ "$(find "$BENCH_TMP" -maxdepth 1 -name 'jeprof.*.heap' | wc -l)" -gt "$before" ] && break
        sleep 0.1
    done
    sleep 0.5
    ls -t "$BENCH_TMP"/jeprof.*.heap | head -1
}

BASE="$(dump)"
cp "$BENCH_TMP/db/server.log" "$OUT/jemalloc-stats-base.txt"
"$GEN" --url "$SERVER_URL" --server-pid "$SERVER_PID" --label heap-profile \
    connect --sockets "$SOCKETS" --hold-secs 25 >"$OUT/connect.txt" &
GEN_PID=$!
# Wait until the sockets are open (the server holds one descriptor each).
for _ in $(seq 1 600); do
    fds="$(find /proc/"$SERVER_PID"/fd -maxdepth 1 | wc -l)"
    [ "$fds" -ge "$SOCKETS" ] && break
    sleep 0.2
done
sleep 3
grep -E 'VmRSS|RssAnon' /proc/"$SERVER_PID"/status >"$OUT/rss-at-dump.txt"
cat /proc/"$SERVER_PID"/smaps_rollup >>"$OUT/rss-at-dump.txt"
echo "descriptors: $(find /proc/"$SERVER_PID"/fd -maxdepth 1 | wc -l)" >>"$OUT/rss-at-dump.txt"
mark="$(stat -c %s "$BENCH_TMP/db/server.log")"
FULL="$(dump)"
# The statistics printed with that dump, merged over arenas.
tail -c +"$((mark + 1))" "$BENCH_TMP/db/server.log" >"$OUT/jemalloc-stats.txt"
wait "$GEN_PID" || true

if [ "$PROF" = false ]; then
    echo "heap-profile.sh: statistics in $OUT" >&2
    exit 0
fi
JE=(jeprof --show_bytes "$BENCH_TMP/presence")
"${JE[@]}" --text --base="$BASE" "$FULL" 2>/dev/null >"$OUT/growth-flat.txt"
"${JE[@]}" --text --cum --base="$BASE" "$FULL" 2>/dev/null >"$OUT/growth-cum.txt"
"${JE[@]}" --text "$FULL" 2>/dev/null >"$OUT/live-flat.txt"
# Every sampled call chain of the growth, one line each with its bytes
# (the input of bench/heap-owners.py, which sums them by owner).
"${JE[@]}" --collapsed --base="$BASE" "$FULL" 2>/dev/null >"$OUT/growth-collapsed.txt"
# The raw profiles, for other jeprof views, where KEEP_PROFILES says.
if [ -n "${KEEP_PROFILES:-}" ]; then
    mkdir -p "$KEEP_PROFILES"
    cp "$BASE" "$KEEP_PROFILES/base.heap"
    cp "$FULL" "$KEEP_PROFILES/full.heap"
fi
echo "heap-profile.sh: reports in $OUT" >&2
