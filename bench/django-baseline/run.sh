#!/usr/bin/env bash
# Usage: run.sh PORT
# Applies migrations, then execs daphne (single process) on 127.0.0.1:PORT.
# Honours VENV, BASELINE_LAYER, REDIS_URL, BASELINE_REDIS_PREFIX, BASELINE_DB,
# BASELINE_HASHER, DEBUG (see README.md).
set -euo pipefail

if [ $# -ne 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 PORT" >&2
    exit 2
fi
PORT="$1"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${VENV:-$HERE/.venv}"

# A relative BASELINE_DB is relative to the caller's directory, not ours.
if [ -n "${BASELINE_DB:-}" ] && [[ "$BASELINE_DB" != /* ]]; then
    BASELINE_DB="$PWD/$BASELINE_DB"
    export BASELINE_DB
fi

export DJANGO_SETTINGS_MODULE=example_channels.settings
cd "$HERE"

"$VENV/bin/python" manage.py migrate --noinput --verbosity 0

# -v 0: no access log, daphne logs at WARNING only.
exec "$VENV/bin/daphne" --bind 127.0.0.1 --port "$PORT" --verbosity 0 \
    example_channels.asgi:application
