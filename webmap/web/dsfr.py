"""The State's design system (DSFR, npm `@gouvfr/dsfr`, licence Etalab 2.0) as the app serves
it: only the parts our pages use, copied from the pinned npm package into
`webmap/static/vendor/dsfr-<version>/` by `webmap vendor-dsfr` (committed, like the reference
data: the app installs and runs without npm). The full bundle is 94 KB of CSS gzipped; the
map's embed takes none of it.

The icons and fonts are those the copied stylesheets name (`url(...)`), so a component added
here brings what it draws."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

VERSION = "1.15.3"
VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / f"dsfr-{VERSION}"
URL_PREFIX = f"vendor/dsfr-{VERSION}"  # under /static

CORE_CSS = "core/core.min.css"
# Components of the pages (header, footer, menus, tables, forms, tags), in cascade order.
COMPONENTS = ("link", "button", "logo", "skiplink", "navigation", "modal", "header", "footer",
              "form", "input", "checkbox", "select", "table", "tag", "notice")
STYLESHEETS = (CORE_CSS, *(f"component/{name}/{name}.min.css" for name in COMPONENTS))
# The header's menu on small screens (a modal) and the navigation's sub-menus need the
# design system's script: its core and those components, as ES modules.
SCRIPTS = ("core/core.module.min.js", "component/navigation/navigation.module.min.js",
           "component/modal/modal.module.min.js", "component/header/header.module.min.js")
# The fonts: only Marianne, only woff2 (listed first in each @font-face: every browser that
# reads the rest of the CSS takes it, and never asks for the .woff).
FONT = re.compile(r"fonts/Marianne-[A-Za-z_]+\.woff2$")
_URL = re.compile(r"url\((?![\"']?data:)[\"']?([^)\"']+)[\"']?\)")


def referenced(css_path: str, css: str) -> set[str]:
    """Files (relative to dist/) that a stylesheet of dist/ names with url(...)."""
    base = Path(css_path).parent
    out = set()
    for target in _URL.findall(css):
        parts: list[str] = []
        for part in (base / target).parts:
            if part == "..":
                parts.pop()
            elif part != ".":
                parts.append(part)
        out.add("/".join(parts))
    return out


def wanted_files(dist: Path) -> list[str]:
    """Every file of dist/ the app serves: stylesheets, scripts, the icons and Marianne
    fonts they name (Spectral and the .woff fallbacks are left out)."""
    files = set(STYLESHEETS) | set(SCRIPTS)
    for sheet in STYLESHEETS:
        for name in referenced(sheet, (dist / sheet).read_text(encoding="utf-8")):
            if name.startswith("icons/") or FONT.search(name):
                files.add(name)
    return sorted(files)


def vendor(dist: Path, target: Path = VENDOR_DIR) -> list[str]:
    """Copy the served subset of the npm package's dist/ into `target` (replaced whole)."""
    files = wanted_files(dist)
    missing = [name for name in files if not (dist / name).is_file()]
    if missing:
        raise FileNotFoundError(f"absent du paquet @gouvfr/dsfr {VERSION} : {', '.join(missing)}")
    if target.exists():
        shutil.rmtree(target)
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dist / name, target / name)
    return files
