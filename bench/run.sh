#!/usr/bin/env bash
# Install what the benchmark needs (Chromium, wrk, npm assets of the baseline), then run it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] || ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[bench]'
npm ci --no-audit --no-fund --loglevel=error
npm ci --prefix bench --no-audit --no-fund --loglevel=error
exec .venv/bin/python bench/run.py "$@"
