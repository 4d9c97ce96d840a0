"""Debian's Chromium as our tools start it through Playwright (browser tests, benchmarks,
the README's screenshot): never a browser downloaded by Playwright. Without the
background-networking flags Chromium keeps calling hosts that these machines cannot reach."""

from __future__ import annotations

import os

# Debian's chromium-headless-shell: the browser without its UI (as Playwright's own headless
# default); about 40 % less CPU than /usr/bin/chromium for the browser tests (docs/dependances.md).
CHROMIUM = os.environ.get("WEBMAP_CHROMIUM", "/usr/bin/chromium-headless-shell")  # system-packages.sh too
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def launch_chromium(playwright, **options):
    """A headless Chromium from a `sync_playwright()` (or async) handle."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **options)
