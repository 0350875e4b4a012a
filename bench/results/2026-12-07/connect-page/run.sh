#!/usr/bin/env bash
# Interleaved rounds at 19,900 sockets: B (before) and A (after) with the
# seed's socket (`/users/`, full feed) and the page's (`connect --page`),
# and Node. BIN_B and BIN_A: dirs with presence and presence-bench.
# RUNS picks and orders the runs of a round (default: all five).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
connect="$here/../../2026-12-03/connect-db/connect.sh"
export OUT="${OUT:-$here}"
for round in ${ROUNDS:-1 2 3}; do
    for run in ${RUNS:-B-full A-full N B-page A-page}; do
        case $run in
            B-full) BIN=$BIN_B FLAVOR=presence PAGE=0 ;;
            A-full) BIN=$BIN_A FLAVOR=presence PAGE=0 ;;
            N) BIN=$BIN_A FLAVOR=node PAGE=0 ;;
            B-page) BIN=$BIN_B FLAVOR=presence PAGE=1 ;;
            A-page) BIN=$BIN_A FLAVOR=presence PAGE=1 ;;
            *) echo "unknown run $run" >&2; exit 2 ;;
        esac
        BIN=$BIN FLAVOR=$FLAVOR PAGE=$PAGE LABEL=$run-$round bash "$connect"
    done
done
