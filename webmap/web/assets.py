"""Third-party JS/CSS served by the app itself (XStatic packages), never from a CDN."""

from __future__ import annotations

import xstatic.pkg.leaflet as xleaflet
from flask import Blueprint, send_from_directory

bp = Blueprint("assets", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.get(f"/static/vendor/leaflet-{xleaflet.VERSION}/<path:filename>")
def leaflet(filename: str):
    response = send_from_directory(xleaflet.BASE_DIR, filename, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response

