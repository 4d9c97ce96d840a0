"""Open data: the projects as CSV and GeoJSON, and the geometry the map fetches."""

from __future__ import annotations

import csv
import json

from flask import Blueprint, abort, request

from webmap.dataset import Dataset
from webmap.metrics import LEVELS
from webmap.projects.csvio import write_csv_text
from webmap.projects.schema import CANONICAL_COLUMNS, THEME_BY_SLUG
from webmap.web.common import dataset
from webmap.web.http import cached_response

bp = Blueprint("downloads", __name__)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ZONES = ("aller-vers", "zones-blanches")


def protect_cell(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: prefix them with '."""
    return "'" + value if value.startswith(FORMULA_START) else value


def projects_csv(data: Dataset) -> str:
    with open(data.files.projects, encoding="utf-8", newline="") as handle:
        rows = [{k: protect_cell(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    return "\ufeff" + write_csv_text(CANONICAL_COLUMNS, rows)


def projects_geojson(data: Dataset) -> str:
    features = []
    for p in data.projects:
        lat, lon = data.marker_point(p)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": p.id, "titre": p.titre, "porteur": p.porteur, "theme": p.theme,
                "echelle": p.echelle, "departements": list(p.departements),
                "territoires": list(p.territoires),
                "territoires_noms": [data.territory_label(t) for t in p.territoires],
                "lieu": p.lieu or None, "precision": p.precision,
                "emplacement_approximatif": not p.precise,
                "aller_vers": p.aller_vers, "zone_blanche": p.zone_blanche,
                "montant_eur": float(p.montant_eur) if p.montant_eur is not None else None,
                "montant_publie": p.montant_eur is not None,
                "description": p.description, "source": p.source, "note": p.note,
            },
        })
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))


@bp.get("/projets.csv")
def download_csv():
    data = dataset()
    response = cached_response(data.memo("projets.csv", lambda: projects_csv(data)),
                               "text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="projets.csv"'
    return response


@bp.get("/projets.geojson")
def download_geojson():
    data = dataset()
    return cached_response(data.memo("projets.geojson", lambda: projects_geojson(data)),
                           "application/geo+json")


# The map's geometry, in webmap.polygon_codec's binary format.
POLYGONS = "application/octet-stream"


@bp.get("/donnees/geo/<niveau>.bin")
def level_geometry(niveau: str):
    data = dataset().polygon_part(niveau, None) if niveau in LEVELS and niveau != "commune" else None
    if data is None:
        abort(404)
    return cached_response(data, POLYGONS, max_age=86400)


@bp.get("/donnees/geo/commune/<departement>.bin")
def commune_geometry(departement: str):
    data = dataset().polygon_part("commune", departement)
    if data is None:
        abort(404)
    return cached_response(data, POLYGONS, max_age=86400)


@bp.get("/donnees/couverture/<theme>.json")
def uncovered(theme: str):
    if theme not in THEME_BY_SLUG:
        abort(404)
    return cached_response(dataset().uncovered_json(theme), "application/json")


@bp.get("/donnees/zones/<which>.bin")
def zones(which: str):
    if which not in ZONES:
        abort(404)
    return cached_response(dataset().zones_polygons(which), POLYGONS)


@bp.get("/donnees/fiches/<project_id>.html")
def project_card(project_id: str):
    """A project's popup, fetched on first opening when the page does not carry them all."""
    from webmap.mapview.build import popup_html
    from webmap.web.pages import app_urls

    data = dataset()
    project = data.by_id.get(project_id)
    if project is None:
        abort(404)
    html = data.memo(("fiche", project_id, request.script_root),
                     lambda: popup_html(project, data, app_urls()))
    return cached_response(html, "text/html; charset=utf-8")
