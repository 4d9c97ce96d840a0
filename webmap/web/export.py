"""`webmap export DIR`: a static copy of the map that any web server or CDN can host.

Pages are rendered by the app itself (Flask test client) under a placeholder root, which is
then replaced by a relative prefix ("." or ".."), so the copy works from any folder. The
copy is built in a temporary folder and renamed into place: DIR is never half-written.

A static file cannot carry a per-request nonce: each page gets a `<meta>` Content Security
Policy listing the SHA-256 hashes of its inline blocks instead (`frame-ancestors` cannot be
set by a `<meta>`: the web server that hosts the copy must send it, see docs/securite.md).

`--force` replaces only an empty folder or a previous export (it holds `MARKER`), never the
data folder, the repository, the current or home folder, or one of their parents.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

from webmap.analysis.metrics import LEVELS
from webmap.mapview.views import all_views
from webmap.mapview.zones import ZONES
from webmap.projects.schema import THEMES
from webmap.reference.territories import Territories
from webmap.web import create_app
from webmap.web.assets import STATIC_DIR, bundle_path, styles_path
from webmap.web.common import STATIC_PAGE_KINDS
from webmap.web.config import Settings
from webmap.web.security import content_security_policy
from webmap.web.site import SITE_PAGES

MARKER = ".webmap-export"
STAGING = ".webmap-staging-"
REPOSITORY = Path(__file__).resolve().parents[2]


class ExportRefused(Exception):
    """The folder cannot be (re)written; the message says why, in French."""

def placeholder_root() -> str:
    """Where the pages are rendered before their links are made relative: a new random
    name per export, so no text of the data can contain it (and be rewritten)."""
    return f"/__webmap_root_{secrets.token_hex(8)}__"
PAGES = {  # URL path -> file
    "/": "index.html",
    "/embed": "embed/index.html",
    "/projets": "projets/index.html",
    "/couverture": "couverture/index.html",
    **{f"/couverture/{t.slug}": f"couverture/{t.slug}/index.html" for t in THEMES},
    **{f"/{page}": f"{page}/index.html" for page in SITE_PAGES},
}
PAGE_DIRS = ("embed", "projets", "couverture", *SITE_PAGES)
# The map pages' scripts, with the depth of the one page that runs each: the addresses in a
# script are relative to the page, not to the script.
MAP_SCRIPTS = {"/carte/page.js": 0, "/carte/embed.js": 1}


def data_files(departements: list[str], project_ids: list[str]) -> list[str]:
    # The default view's image (link previews, print): one image, about a second. The 54
    # projects' images (/projets/<id>.png) are left out: 25-30 s more (docs/dependances.md).
    files = ["/projets.csv", "/projets.xlsx", "/projets.geojson", "/schema.json", styles_path(),
             "/carte.png", bundle_path("carte"), bundle_path("recherche")]
    files += [f"/donnees/vues/{v.niveau}/{v.indicateur}/{v.theme}.json" for v in all_views()]
    files += [f"/donnees/fiches/{pid}.html" for pid in project_ids]
    files += [f"/donnees/geo/{folder}{level}.bin" for level in LEVELS if level != "commune"
              for folder in ("", "apercu/")]
    files += [f"/donnees/geo/{folder}/{dep}.bin" for dep in departements for folder in ("commune", "commune-apercu")]
    files += [f"/donnees/geo/commune-noms/{dep}.json" for dep in departements]
    files += [f"/donnees/zones/{folder}{zone.slug}.bin" for zone in ZONES for folder in ("", "apercu/")]
    files += ["/donnees/recherche.json", *(f"/donnees/territoires/{dep}.json" for dep in departements)]
    for theme in THEMES:
        files.append(f"/donnees/couverture/{theme.slug}.json")
        files += [f"/couverture/{theme.slug}/{by}.{ext}"
                  for by in ("departement", "epci", "commune") for ext in ("csv", "json")]
    return files


def relative_links(html: str, depth: int, root: str, dirs: tuple[str, ...] = PAGE_DIRS) -> str:
    prefix = "." if depth == 0 else "/".join([".."] * depth)
    for page in dirs:
        # Directory pages: link to the folder (index.html), which every static server serves.
        for end in ('"', "#", "?"):
            html = html.replace(f"{root}/{page}{end}", f"{root}/{page}/{end}")
    return html.replace(root, prefix)


def protected_folders(settings: Settings) -> list[Path]:
    return [p.resolve() for p in (settings.data_dir, REPOSITORY, Path.cwd(), Path.home(), Path("/"))]


def check_target(raw: str | Path, force: bool, settings: Settings) -> Path:
    """The folder to write, resolved, or ExportRefused."""
    if not str(raw).strip():
        raise ExportRefused("nom de dossier vide : donnez le dossier où écrire la copie statique.")
    out = Path(raw).resolve()
    if out.exists() and not out.is_dir():
        raise ExportRefused(f"{raw} n'est pas un dossier.")
    if not out.parent.is_dir():
        raise ExportRefused(f"{raw} : le dossier parent {out.parent} n'existe pas ou n'est pas un dossier.")
    for folder in protected_folders(settings):
        if folder == out or folder.is_relative_to(out):
            raise ExportRefused(f"{raw} contient le dossier {folder} (données, dépôt, dossier courant "
                                "ou personnel) : choisissez un dossier à part pour la copie statique.")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ExportRefused(f"{raw} n'est pas vide ; ajoutez --force pour remplacer une copie "
                                "statique précédente.")
        if not (out / MARKER).is_file():
            raise ExportRefused(f"{raw} n'est pas vide et n'a pas été écrit par webmap export (pas de "
                                f"fichier {MARKER}) : --force ne remplace qu'un dossier vide ou une "
                                "copie statique précédente.")
    return out


def remove_stale_staging(out: Path) -> None:
    """Folders left by an export that was killed before it could clean up."""
    for stale in out.parent.glob(f".{out.name}{STAGING}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


def export_site(out: Path, settings: Settings, force: bool = False,
                territories: Territories | None = None) -> list[str]:
    """Write the static copy into `out` (replaced as a whole); returns the files written."""
    out = check_target(out, force, settings)
    app = create_app(replace(settings, static_export=True), territories)
    client = app.test_client()
    root = placeholder_root()
    base_url = f"http://localhost{root}/"
    remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{STAGING}", dir=out.parent))
    written: list[str] = []
    data = app.extensions["webmap.holder"].dataset
    # Each project's page is a folder too (projets/<id>/index.html).
    project_pages = {f"/projets/{p.id}": f"projets/{p.id}/index.html" for p in data.projects}
    for kind in STATIC_PAGE_KINDS:
        layer = data.territories.layers["departements" if kind == "departement" else kind]
        project_pages.update({f"/territoires/{kind}/{code}": f"territoires/{kind}/{code}/index.html"
                              for code in layer["code"]})
    dirs = PAGE_DIRS + tuple(path.lstrip("/") for path in project_pages)
    try:
        for path, target in {**PAGES, **project_pages}.items():
            body = _get(client, path, base_url)
            html = with_static_csp(relative_links(body.decode(), target.count("/"), root, dirs), settings)
            _write(staging / target, html.encode())
            written.append(target)
        for path, depth in MAP_SCRIPTS.items():
            body = relative_links(_get(client, path, base_url).decode(), depth, root, dirs).encode()
            _write(staging / path.lstrip("/"), body)
            written.append(path.lstrip("/"))
        data = app.extensions["webmap.holder"].dataset
        deps = [part.key for part in data.polygon_parts("commune")]
        for path in data_files(deps, [p.id for p in data.projects]):
            body = _get(client, path, base_url)
            if path.endswith(".html"):  # project cards link to the list
                body = relative_links(body.decode(), path.count("/") - 1, root, dirs).encode()
            _write(staging / path.lstrip("/"), body)
            written.append(path.lstrip("/"))
        shutil.copytree(STATIC_DIR, staging / "static", dirs_exist_ok=True)
        vendor = staging / "static" / "vendor" / f"leaflet-{xleaflet.VERSION}"
        vendor.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copy(Path(xleaflet.BASE_DIR) / name, vendor / name)
        shutil.copytree(Path(xleaflet.BASE_DIR) / "images", vendor / "images", dirs_exist_ok=True)
        written += [str(p.relative_to(staging)) for p in (staging / "static").rglob("*") if p.is_file()]
        (staging / MARKER).write_text("Copie statique écrite par webmap export.\n", encoding="utf-8")
        os.chmod(staging, 0o755)
        if out.exists():
            # An empty or previous-export folder (check_target): moved aside, then removed.
            previous = staging.with_name(staging.name + "-old")
            out.rename(previous)
            staging.rename(out)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


_INLINE = re.compile(r"<(script|style)((?:(?!\bsrc=)[^>])*)>(.*?)</\1>", re.S)
_NONCE = re.compile(r'\snonce="[^"]*"')


def with_static_csp(html: str, settings: Settings) -> str:
    """Per-request nonces out, a <meta> CSP with the hashes of the inline blocks in."""
    html = _NONCE.sub("", html)
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for tag, attrs, body in _INLINE.findall(html):
        if "application/json" in attrs:
            continue  # data, never run
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes[tag].append(f"'sha256-{digest}'")
    policy = content_security_policy(settings)
    policy.pop("frame-ancestors")  # ignored in a <meta>: the host's web server sends it
    policy["script-src"] = " ".join(["'self'", *dict.fromkeys(hashes["script"])])
    policy["style-src"] = " ".join(["'self'", *dict.fromkeys(hashes["style"])])
    content = "; ".join(f"{k} {v if isinstance(v, str) else ' '.join(v)}" for k, v in policy.items())
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    return html.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n' + meta, 1)


def _get(client, path: str, base_url: str) -> bytes:
    response = client.get(path, base_url=base_url)
    if response.status_code != 200:
        raise RuntimeError(f"{path} : HTTP {response.status_code}")
    return response.get_data()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
