"""Take the README's screenshot of the main page: python scripts/screenshot.py [OUT.png]."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from webmap.web.chromium import launch_chromium
from webmap.web.server import free_port, start_background

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "carte.png"
    port = free_port()
    # Tiles cannot be reached from the build machines: the screenshot shows the vector layers.
    process, base = start_background(port, {**os.environ, "WEBMAP_TILES_URL": "off"})
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 860})
            page.goto(base + "/?projet=hdf-2021-11")
            page.wait_for_selector("html[data-choropleth=loaded]")
            page.wait_for_selector("html[data-aller-vers=loaded]")
            page.wait_for_timeout(400)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        process.terminate()
    print(out)


if __name__ == "__main__":
    main()
