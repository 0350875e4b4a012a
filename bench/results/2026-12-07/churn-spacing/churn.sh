#!/usr/bin/env bash
# The 2026-12-03 churn run (watch mode at the issue's size against BIN),
# with the CPU of each server thread in threads-LABEL.txt.
THREADS=1 exec bash "$(dirname "${BASH_SOURCE[0]}")/../../2026-12-03/churn-slices/churn.sh"
