#!/usr/bin/env bash
# Roster counts (2026-12-07, night): the connect phase profiled before
# (B, 4b14d15) and after (A) the per-user counts, two interleaved rounds,
# 5,000 sockets, 50 per user, as presence's page opens them.
#   B_BIN, A_BIN: directories with presence and presence-bench.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROFILE="$HERE/../connect-profile/profile.sh"
for round in 1 2; do
    for side in B A; do
        bin_var="${side}_BIN"
        out="$HERE/$side-$round"
        mkdir -p "$out"
        BIN="${!bin_var}" OUT="$out" N=5000 PAGE=1 bash "$PROFILE" > "$out/run.log" 2>&1
        rm -rf "$out/tmp" "$out/connect.data"
        echo "$side-$round: $(grep -E 'sockets/s|CPU µs' "$out/connect.txt" | tr -s ' ' | tr '\n' ';')"
        grep -E 'Roster' "$out/top-self.txt" || true
    done
done
