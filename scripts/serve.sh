#!/usr/bin/env bash
# Install the app and serve it with the shipped data on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
# Pinned versions (requirements/app.txt, made by scripts/lock.sh), then the app itself.
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/app.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
exec .venv/bin/webmap serve --host 127.0.0.1 --port 8000
