#!/usr/bin/env bash
# Interleaved rounds at 19,900 sockets with the seed's socket (`/users/`,
# full feed): B (4b14d15) and A (the roster's counts), and Node; the
# connect-page rounds with their full-feed runs only.
# BIN_B and BIN_A: dirs with presence and presence-bench.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${OUT:-$here}" RUNS="B-full A-full N" exec bash "$here/../connect-page/run.sh"
