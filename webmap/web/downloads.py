"""Open data: the projects as CSV, spreadsheet (.xlsx) and GeoJSON, and the geometry the map fetches."""

from __future__ import annotations

import datetime
import io
import json
from functools import lru_cache

from flask import Blueprint, abort, request, url_for

from webmap.analysis.metrics import LEVELS, METRICS
from webmap.mapview.dataset import Dataset
from webmap.mapview.zones import ZONE_BY_SLUG
from webmap.projects.csvio import write_csv_text
from webmap.projects.schema import CANONICAL_COLUMNS, THEME_BY_SLUG, region_columns, table_schema
from webmap.reference.files import Region
from webmap.web.common import dataset, protect_cell, versioned_max_age
from webmap.web.http import cached_response

bp = Blueprint("downloads", __name__)
def projects_csv(data: Dataset) -> str:
    """The loaded dataset's rows (never the file on disk, which may have changed since)."""
    rows = [{k: protect_cell(v) for k, v in row.items()} for row in data.rows]
    return "\ufeff" + write_csv_text(CANONICAL_COLUMNS, rows)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Fixed document properties: the same rows give the same bytes (one ETag, a stable static copy).
XLSX_CREATED = datetime.datetime(2021, 1, 1)
XLSX_WIDTHS = {"titre": 40, "porteur": 30, "description": 60, "lieux_cites": 30, "note": 30}


def projects_xlsx(data: Dataset) -> bytes:
    """The rows of /projets.csv in a workbook French Excel opens as it is: every cell a text
    cell, never a number (codes keep their leading zeros) nor a formula (a title that starts
    with « = » stays that text: no apostrophe needed, unlike the CSV)."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
               "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        workbook.set_properties({"title": "Projets du plan de soutien aux associations de lutte contre la "
                                 "pauvreté en Hauts-de-France", "author": "", "created": XLSX_CREATED})
        text = workbook.add_format({"num_format": "@"})  # « Texte »: what is typed later stays text too
        header = workbook.add_format({"num_format": "@", "bold": True})
        sheet = workbook.add_worksheet("projets")
        for column, name in enumerate(CANONICAL_COLUMNS):
            sheet.set_column(column, column, XLSX_WIDTHS.get(name, 14), text)
            sheet.write_string(0, column, name, header)
        sheet.freeze_panes(1, 0)
        for line, row in enumerate(data.rows, start=1):
            for column, name in enumerate(CANONICAL_COLUMNS):
                if sheet.write_string(line, column, row[name], text) != 0:  # -2: over 32,767 characters
                    raise ValueError(f"{row['id']} : « {name} » trop long pour une cellule de tableur")
    return buffer.getvalue()


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


def described_by_schema(response):
    """The downloads point to the description of their columns (RFC 8288 link)."""
    response.headers["Link"] = f'<{url_for("downloads.schema")}>; rel="describedby"; type="application/json"'
    return response


@bp.get("/projets.csv")
def download_csv():
    data = dataset()
    response = cached_response(data.memo("projets.csv", lambda: projects_csv(data)), "text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="projets.csv"'
    return described_by_schema(response)


@bp.get("/projets.xlsx")
def download_xlsx():
    data = dataset()
    response = cached_response(data.memo("projets.xlsx", lambda: projects_xlsx(data)), XLSX)
    response.headers["Content-Disposition"] = 'attachment; filename="projets.xlsx"'
    return response


@bp.get("/projets.geojson")
def download_geojson():
    data = dataset()
    return described_by_schema(cached_response(data.memo("projets.geojson", lambda: projects_geojson(data)),
                                               "application/geo+json"))


@lru_cache(maxsize=8)
def _schema_json(region: Region) -> str:
    return json.dumps(table_schema(region_columns(region), region), ensure_ascii=False, indent=2) + "\n"


@bp.get("/schema.json")
def schema():
    """The Table Schema of /projets.csv (and of data/projets.csv), from schema.region_columns:
    it changes with a release or the data folder's region, never with the projects; cached
    and revalidated like the downloads."""
    return cached_response(_schema_json(dataset().territories.region), "application/json")


# What the map fetches (geometry, zones, cards, coverage details) lives under /donnees/.
DATA_PREFIX = "/donnees/"


@bp.after_app_request  # every blueprint's /donnees/ files (the territories' too)
def readable_by_sandboxed_frames(response):
    """The map's public data, readable from any origin without credentials: in a CMS's
    sandboxed frame (WordPress: sandbox="allow-scripts", no allow-same-origin) the map's
    origin is opaque ("null"), and every fetch of its own data is cross-origin. Only these
    read-only files, the same as the open-data downloads; never the pages or /oembed."""
    if request.path.startswith(DATA_PREFIX) and request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# The map's geometry, in webmap.mapview.polygon_codec's binary format.
POLYGONS = "application/octet-stream"
@bp.get("/donnees/geo/<niveau>.bin")
@bp.get("/donnees/geo/apercu/<niveau>.bin", endpoint="level_overview", defaults={"overview": True})
def level_geometry(niveau: str, overview: bool = False):
    """A level's polygons (departments, EPCI…), in detail or simplified for low zooms."""
    data = dataset()
    body = data.polygon_part(niveau, None, overview) if niveau in LEVELS and niveau != "commune" else None
    if body is None:
        abort(404)
    return cached_response(body, POLYGONS, max_age=versioned_max_age(data))


@bp.get("/donnees/geo/commune/<departement>.bin")
@bp.get("/donnees/geo/commune-apercu/<departement>.bin", endpoint="commune_overview", defaults={"overview": True})
def commune_geometry(departement: str, overview: bool = False):
    """A department's communes, in detail or simplified for low zooms (`commune-apercu`)."""
    data = dataset()
    body = data.polygon_part("commune", departement, overview)
    if body is None:
        abort(404)
    return cached_response(body, POLYGONS, max_age=versioned_max_age(data))


@bp.get("/donnees/geo/commune-noms/<departement>.json")
def commune_names(departement: str):
    """A department's commune names, in the order of its polygon files (for tooltips)."""
    data = dataset()
    part = next((p for p in data.polygon_parts("commune") if p.key == departement), None)
    if part is None:
        abort(404)
    body = data.memo(("commune-noms", departement),
                     lambda: json.dumps({"nom": part.names}, ensure_ascii=False, separators=(",", ":")).encode())
    return cached_response(body, "application/json", max_age=versioned_max_age(data))


@bp.get("/donnees/couverture/<theme>.json")
def uncovered(theme: str):
    if theme not in THEME_BY_SLUG:
        abort(404)
    data = dataset()
    return cached_response(data.uncovered_json(theme), "application/json", max_age=versioned_max_age(data))


@bp.get("/donnees/vues/<niveau>/<indicateur>/<theme>.json")
def view_data(niveau: str, indicateur: str, theme: str):
    """A view's legend and choropleth values (webmap.mapview.views), for switching views in
    the browser; `theme` as MapView writes it (tous, or slugs in the vocabulary's order)."""
    from webmap.mapview.view import MapView
    from webmap.mapview.views import theme_keys, view_json

    if niveau not in LEVELS or indicateur not in METRICS or theme not in theme_keys():
        abort(404)
    data = dataset()
    body = view_json(data, MapView(niveau=niveau, indicateur=indicateur, theme=theme))
    return cached_response(body, "application/json", max_age=versioned_max_age(data))


@bp.get("/donnees/zones/<which>.bin")
@bp.get("/donnees/zones/apercu/<which>.bin", endpoint="zones_overview", defaults={"overview": True})
def zones(which: str, overview: bool = False):
    if which not in ZONE_BY_SLUG:
        abort(404)
    data = dataset()
    return cached_response(data.zones_polygons(which, overview), POLYGONS, max_age=versioned_max_age(data))


@bp.get("/donnees/fiches/<project_id>.html")
def project_card(project_id: str):
    """A project's popup, fetched on first opening when the page does not carry them all."""
    from webmap.mapview.build import popup_html
    from webmap.web.render import app_urls

    data = dataset()
    project = data.by_id.get(project_id)
    if project is None:
        abort(404)
    html = data.memo(("fiche", project_id, request.script_root),
                     lambda: popup_html(project, data, app_urls()))
    return cached_response(html, "text/html", max_age=versioned_max_age(data))


@bp.get("/donnees/recherche.json")
def search_data():
    """The search's index (webmap.mapview.search), searched by the browser itself."""
    from webmap.mapview.search import search_index

    data = dataset()
    body = data.memo(("search-index",), lambda: json.dumps(search_index(data), ensure_ascii=False,
                                                          separators=(",", ":")))
    return cached_response(body, "application/json", max_age=versioned_max_age(data))
