"""JS, CSS and images served by the app itself (ours and Leaflet's XStatic package, never
a CDN), read once and gzipped once per process: a page load asks for ten files at once,
and compressing Leaflet (147 KB) on every request put 130 ms on the first render."""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet
from flask import Blueprint, abort
from werkzeug.security import safe_join

from webmap.mapview.palette import palette_css
from webmap.web import dsfr
from webmap.web.http import cached_response

bp = Blueprint("assets", __name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=64)
def _read(root: str, filename: str) -> bytes | None:
    path = safe_join(root, filename)
    try:
        return Path(path).read_bytes() if path and Path(path).is_file() else None
    except OSError:  # a name too long for the file system, a folder…: not found
        return None


def _asset(root: str, filename: str, max_age: int, immutable: bool = False):
    body = _read(root, filename)
    if body is None:
        abort(404)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return cached_response(body, mimetype, max_age=max_age, immutable=immutable)


@bp.get(f"/static/vendor/leaflet-{xleaflet.VERSION}/<path:filename>")
def leaflet(filename: str):
    """Versioned path: cached for a year."""
    return _asset(xleaflet.BASE_DIR, filename, ONE_YEAR, immutable=True)


@bp.get(f"/static/{dsfr.URL_PREFIX}/<path:filename>")
def dsfr_file(filename: str):
    """The design system's files (webmap.web.dsfr), under a versioned path: cached for a year."""
    return _asset(str(dsfr.VENDOR_DIR), filename, ONE_YEAR, immutable=True)


@bp.get("/static/palette.css")
def palette():
    """The data's colours, written from the Python vocabulary (webmap.mapview.palette)."""
    return cached_response(palette_css(), "text/css", max_age=0)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it whatever the page says: our SVG icon."""
    return _asset(str(STATIC_DIR), "favicon.svg", 86400)


def static(filename: str):
    """Our files (the app's "static" endpoint, registered by create_app) keep their names
    across releases: browsers revalidate them (ETag, 304)."""
    return _asset(str(STATIC_DIR), filename, 0)
