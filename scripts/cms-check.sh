#!/usr/bin/env bash
# The map in a real CMS, end to end: WordPress from Debian's packages on 127.0.0.1, an Author
# pastes the map's address, an Editor pastes the /integrer snippet (tests/test_wordpress.py).
# Part of the whole suite (scripts/test.sh); this runs it alone.
# Usage: bash scripts/cms-check.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash tests/wordpress/setup.sh --packages
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/test.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
.venv/bin/python -m pytest -q -n 0 -m wordpress tests/test_wordpress.py "$@"
