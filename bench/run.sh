#!/usr/bin/env bash
# Install what the benchmark needs (Chromium, wrk, npm assets of the baseline), then run it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh wrk
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/bench.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
npm ci --no-audit --no-fund --loglevel=error
npm ci --prefix bench --no-audit --no-fund --loglevel=error
exec .venv/bin/python bench/run.py "$@"
