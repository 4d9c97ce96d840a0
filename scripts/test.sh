#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run it.
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium for the browser tests, nginx for the production setup's slow-client test.
bash scripts/system-packages.sh nginx

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# Pinned npm input of `webmap build-data` (the reproducibility test rebuilds the data).
npm ci --no-audit --no-fund --loglevel=error

.venv/bin/webmap check
.venv/bin/python -m pytest -q "$@"
