#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, lint, then run it.
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium for the browser tests, nginx for the production setup's slow-client test,
# WordPress (PHP, MariaDB) for the embedding tests in a real CMS.
bash scripts/system-packages.sh nginx
bash tests/wordpress/setup.sh --packages

[ -x .venv/bin/python ] || python3 -m venv .venv
# Pinned versions (requirements/test.txt, made by scripts/lock.sh), then the app itself.
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/test.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
# Pinned npm packages: the input of `webmap build-data` and ESLint.
npm ci --no-audit --no-fund --loglevel=error

.venv/bin/ruff check webmap tests bench scripts
npx --no-install eslint webmap/static tests/js eslint.config.js
node --test tests/js/
.venv/bin/webmap check
# Bytecode caches as Python writes them by default (some machines turn them off): without
# them each of the suite's Python processes (2 workers, servers, CLI runs) compiles webmap
# and, for pytest's assertion rewriting, every test module again: 4.1 s instead of 0.75 s
# to collect the suite, per worker.
unset PYTHONDONTWRITEBYTECODE
# Two processes on two cores (-p no:xdist for one); the WordPress tests share one worker.
.venv/bin/python -m pytest -q -n auto --maxprocesses 4 --dist loadgroup "$@"
