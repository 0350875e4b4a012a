#!/usr/bin/env bash
# Create (or reuse) a virtualenv and install the baseline's pinned
# dependencies from PyPI. Idempotent.
#   VENV    virtualenv path   (default: <this dir>/.venv)
#   PYTHON  interpreter used to create it (default: python3; needs >= 3.10)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${VENV:-$HERE/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 required (Django 5.x)")'
    echo "install.sh: creating virtualenv $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi

"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$HERE/requirements.txt" -r "$HERE/requirements-dev.txt"

"$VENV/bin/python" -c 'import django, channels, daphne, channels_redis; print("install.sh: ok: Django", django.get_version(), "channels", channels.__version__, "daphne", daphne.__version__)'
