"""`webmap export DIR`: a static copy of the map that any web server or CDN can host.

Pages are rendered by the app itself (Flask test client) under a placeholder root, which is
then replaced by a relative prefix ("." or ".."), so the copy works from any folder. The
copy is built in a temporary folder and renamed into place: DIR is never half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

from webmap.metrics import LEVELS
from webmap.projects.schema import THEMES
from webmap.web import create_app
from webmap.web.assets import STATIC_DIR
from webmap.web.config import Settings

ROOT = "/__webmap_root__"
PAGES = {  # URL path -> file
    "/": "index.html",
    "/embed": "embed/index.html",
    "/projets": "projets/index.html",
    "/couverture": "couverture/index.html",
    **{f"/couverture/{t.slug}": f"couverture/{t.slug}/index.html" for t in THEMES},
}
PAGE_DIRS = ("embed", "projets", "couverture")


def data_files(departements: list[str], project_ids: list[str]) -> list[str]:
    files = ["/projets.csv", "/projets.geojson"]
    files += [f"/donnees/fiches/{pid}.html" for pid in project_ids]
    files += [f"/donnees/geo/{level}.bin" for level in LEVELS if level != "commune"]
    files += [f"/donnees/geo/commune/{dep}.bin" for dep in departements]
    files += [f"/donnees/zones/{which}.bin" for which in ("aller-vers", "zones-blanches")]
    for theme in THEMES:
        files.append(f"/donnees/couverture/{theme.slug}.json")
        files += [f"/couverture/{theme.slug}/{by}.{ext}"
                  for by in ("departement", "epci", "commune") for ext in ("csv", "json")]
    return files


def relative_links(html: str, depth: int) -> str:
    prefix = "." if depth == 0 else "/".join([".."] * depth)
    for page in PAGE_DIRS:
        # Directory pages: link to the folder (index.html), which every static server serves.
        for end in ('"', "#", "?"):
            html = html.replace(f"{ROOT}/{page}{end}", f"{ROOT}/{page}/{end}")
    return html.replace(ROOT, prefix)


def export_site(out: Path, settings: Settings) -> list[str]:
    """Write the static copy into `out` (replaced as a whole); returns the files written."""
    app = create_app(replace(settings, static_export=True))
    client = app.test_client()
    base_url = f"http://localhost{ROOT}/"
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    written: list[str] = []
    try:
        for path, target in PAGES.items():
            body = _get(client, path, base_url)
            _write(staging / target, relative_links(body.decode(), target.count("/")).encode())
            written.append(target)
        data = app.extensions["webmap.holder"].dataset
        deps = [part.key for part in data.polygon_parts("commune")]
        for path in data_files(deps, [p.id for p in data.projects]):
            body = _get(client, path, base_url)
            if path.endswith(".html"):  # project cards link to the list
                body = relative_links(body.decode(), path.count("/") - 1).encode()
            _write(staging / path.lstrip("/"), body)
            written.append(path.lstrip("/"))
        shutil.copytree(STATIC_DIR, staging / "static", dirs_exist_ok=True)
        vendor = staging / "static" / "vendor" / f"leaflet-{xleaflet.VERSION}"
        vendor.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copy(Path(xleaflet.BASE_DIR) / name, vendor / name)
        shutil.copytree(Path(xleaflet.BASE_DIR) / "images", vendor / "images", dirs_exist_ok=True)
        written += [str(p.relative_to(staging)) for p in (staging / "static").rglob("*") if p.is_file()]
        os.chmod(staging, 0o755)
        if out.exists():
            previous = out.with_name(f".{out.name}.old")
            shutil.rmtree(previous, ignore_errors=True)
            out.rename(previous)
            staging.rename(out)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _get(client, path: str, base_url: str) -> bytes:
    response = client.get(path, base_url=base_url)
    if response.status_code != 200:
        raise RuntimeError(f"{path} : HTTP {response.status_code}")
    return response.get_data()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
