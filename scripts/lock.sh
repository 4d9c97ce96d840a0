#!/usr/bin/env bash
# Regenerate the pinned Python dependencies (requirements/*.txt) from pyproject.toml.
# The scripts install from these files, so every machine gets the same versions
# (`webmap build-data` promises byte-identical output). Needs pip-tools in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pip install -q --disable-pip-version-check pip-tools
compile() {
  .venv/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links \
    --output-file "$1" "${@:2}" pyproject.toml
}
compile requirements/app.txt
compile requirements/test.txt --extra test
compile requirements/bench.txt --extra bench
