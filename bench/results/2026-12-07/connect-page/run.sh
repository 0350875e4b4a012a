#!/usr/bin/env bash
# Interleaved rounds at 19,900 sockets: B (before) and A (after) with the
# seed's socket (`/users/`, full feed) and the page's (`connect --page`),
# and Node. BIN_B and BIN_A: dirs with presence and presence-bench.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
connect="$here/../../2026-12-03/connect-db/connect.sh"
export OUT="${OUT:-$here}"
for round in ${ROUNDS:-1 2 3}; do
    BIN=$BIN_B FLAVOR=presence PAGE=0 LABEL=B-full-$round bash "$connect"
    BIN=$BIN_A FLAVOR=presence PAGE=0 LABEL=A-full-$round bash "$connect"
    BIN=$BIN_A FLAVOR=node PAGE=0 LABEL=N-$round bash "$connect"
    BIN=$BIN_B FLAVOR=presence PAGE=1 LABEL=B-page-$round bash "$connect"
    BIN=$BIN_A FLAVOR=presence PAGE=1 LABEL=A-page-$round bash "$connect"
done
