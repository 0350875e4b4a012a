#!/usr/bin/env bash
# Interleaved rounds at 19,900 sockets with the seed's socket (`/users/`,
# full feed): B (4b14d15) and A (the roster's counts), and Node.
# BIN_B and BIN_A: dirs with presence and presence-bench.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
connect="$here/../../2026-12-03/connect-db/connect.sh"
export OUT="${OUT:-$here}"
for round in ${ROUNDS:-1 2 3}; do
    BIN=$BIN_B FLAVOR=presence PAGE=0 LABEL=B-full-$round bash "$connect"
    BIN=$BIN_A FLAVOR=presence PAGE=0 LABEL=A-full-$round bash "$connect"
    BIN=$BIN_A FLAVOR=node PAGE=0 LABEL=N-$round bash "$connect"
done
