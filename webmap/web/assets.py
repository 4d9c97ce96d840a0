"""JS, CSS and images served by the app itself (ours and Leaflet's XStatic package, never
a CDN), read once and gzipped once per process: a page load asks for ten files at once,
and compressing Leaflet (147 KB) on every request put 130 ms on the first render."""

from __future__ import annotations

import hashlib
import mimetypes
from functools import cache, lru_cache
from pathlib import Path

import rcssmin
import rjsmin
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


def minified(filename: str, body: bytes) -> bytes:
    """A script or a style sheet without its comments and layout whitespace (rJSmin and
    rCSSmin, made to run at serving time): our files stay commented in static/, the
    browser gets a quarter less (bench/README.md). Other files as they are."""
    if filename.endswith(".js"):
        return rjsmin.jsmin(body.decode("utf-8")).encode("utf-8")
    if filename.endswith(".css"):
        return rcssmin.cssmin(body.decode("utf-8")).encode("utf-8")
    return body


@lru_cache(maxsize=64)
def _read_minified(root: str, filename: str) -> bytes | None:
    body = _read(root, filename)
    return None if body is None else minified(filename, body)


def _asset(root: str, filename: str, max_age: int, immutable: bool = False, minify: bool = False):
    body = (_read_minified if minify else _read)(root, filename)
    if body is None:
        abort(404)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return cached_response(body, mimetype, max_age=max_age, immutable=immutable)


@bp.get(f"/static/vendor/leaflet-{xleaflet.VERSION}/<path:filename>")
def leaflet(filename: str):
    """Versioned path: cached for a year. Its style sheet comes commented: minified here
    (its script is already minified)."""
    return _asset(xleaflet.BASE_DIR, filename, ONE_YEAR, immutable=True, minify=filename == "leaflet.css")


# The map's scripts, in the order they run: Leaflet (XStatic), then ours. Served as one file
# (one request instead of six: the first view is about 30 ms sooner, bench/README.md); the
# files stay apart in static/ for the Node tests and for reading. The search's own code
# comes apart, when its field is first focused (webmap.js): most visitors never search, and
# the first view is 3.3 KB (gzipped) lighter.
BUNDLES = {
    "carte": ((xleaflet.BASE_DIR, "leaflet.js"), (str(STATIC_DIR), "format.js"), (str(STATIC_DIR), "webmap.js"),
              (str(STATIC_DIR), "polygon-decoder.js"), (str(STATIC_DIR), "polygons.js")),
    "recherche": ((str(STATIC_DIR), "search.js"),),
}


@cache
def bundle(name: str) -> tuple[str, bytes]:
    """A bundle's scripts as one file, and its version (a hash of its bytes)."""
    parts = []
    for root, filename in BUNDLES[name]:
        body = _read(root, filename) if root == xleaflet.BASE_DIR else _read_minified(root, filename)
        assert body is not None, filename
        parts.append(b"/* " + filename.encode() + b" */\n" + body.rstrip() + b"\n;\n")
    body = b"".join(parts)
    return hashlib.sha256(body).hexdigest()[:16], body


def bundle_path(name: str) -> str:
    """Where a page finds a bundle (without the app's root), versioned: cached for a year."""
    return f"/static/{name}-{bundle(name)[0]}.js"


@bp.get("/static/<any(carte, recherche):name>-<version>.js")
def bundle_file(name: str, version: str):
    current, body = bundle(name)
    if version != current:
        abort(404)
    return cached_response(body, "text/javascript", max_age=ONE_YEAR, immutable=True)


# The pages' style sheets as one file, in the cascade's order the map pages had (ours, then
# Leaflet's, then the palette written from the vocabulary): one request instead of three on a
# map page, two on the others. Leaflet's images stay in its versioned folder.
STYLES = ((str(STATIC_DIR), "webmap.css"), (xleaflet.BASE_DIR, "leaflet.css"))
LEAFLET_IMAGES = f"vendor/leaflet-{xleaflet.VERSION}/images/"


@cache
def styles() -> tuple[str, bytes]:
    """The pages' style sheet, and its version (a hash of its bytes)."""
    parts = []
    for root, filename in STYLES:
        body = _read_minified(root, filename)
        assert body is not None, filename
        if root == xleaflet.BASE_DIR:  # url(images/…): relative to the bundle, in /static/
            body = body.replace(b"url(images/", b"url(" + LEAFLET_IMAGES.encode())
        parts.append(body)
    body = b"\n".join([*parts, palette_css().encode("utf-8")])
    return hashlib.sha256(body).hexdigest()[:16], body


def styles_path() -> str:
    """Where a page finds its style sheet (without the app's root), versioned: cached for a year."""
    return f"/static/styles-{styles()[0]}.css"


@bp.get("/static/styles-<version>.css")
def styles_file(version: str):
    current, body = styles()
    if version != current:
        abort(404)
    return cached_response(body, "text/css", max_age=ONE_YEAR, immutable=True)


@bp.get(f"/static/{dsfr.URL_PREFIX}/<path:filename>")
def dsfr_file(filename: str):
    """The design system's files (webmap.web.dsfr), under a versioned path: cached for a year."""
    return _asset(str(dsfr.VENDOR_DIR), filename, ONE_YEAR, immutable=True)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it whatever the page says: our SVG icon."""
    return _asset(str(STATIC_DIR), "favicon.svg", 86400)


def static(filename: str):
    """Our files (the app's "static" endpoint, registered by create_app) keep their names
    across releases: browsers revalidate them (ETag, 304). Scripts and styles minified."""
    return _asset(str(STATIC_DIR), filename, 0, minify=True)
