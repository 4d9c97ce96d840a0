"""Assemble the Folium map (zones, theme layers, markers, layer control; the same for every
view) and the page's data island (the projects, the view and its figures)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

import folium
import jinja2

from webmap.analysis.classify import CLASS_FILL_OPACITY, CLASS_OUTLINE, NO_DATA_COLOR, format_value
from webmap.analysis.metrics import LEVEL_RECORDS, LEVELS, METRICS
from webmap.mapview.dataset import Dataset
from webmap.mapview.elements import (
    MapSetup,
    ProjectMarkers,
    ProjectOpener,
    RemotePolygons,
)
from webmap.mapview.symbols import KINDS, symbol_svg
from webmap.mapview.view import ALL_THEMES, MapView
from webmap.mapview.views import view_payload
from webmap.mapview.webgeo import DETAIL_ZOOM
from webmap.mapview.zones import ZONES, computed_zone_style
from webmap.projects.schema import THEMES
from webmap.projects.store import Project

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("webmap", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)

# All polygon layers share one canvas under the markers; fills first, outlines on top (and
# answering the pointer first).
DRAW_ORDER = {"choropleth": 0, "zone": 1, "outline": 2}
STACK_RADIUS_DEG = 0.035
# Below this zoom communes are smaller than a few pixels: their layer waits for a zoom-in
# (at the region's scale, zoom 7-8, all five departments load).
COMMUNE_MIN_ZOOM = 7


@dataclass(frozen=True)
class Urls:
    """Where the page finds its assets and data (absolute for the app, relative for export)."""

    map_js: str  # Leaflet and our scripts, one file (webmap.web.assets.bundle)
    search_js: str  # the search's script, loaded when its field is first focused
    level_polygons: Callable[[str], str]
    level_overview: Callable[[str], str]  # the same, simplified for zooms below DETAIL_ZOOM
    commune_polygons: Callable[[str], str]
    commune_overview: Callable[[str], str]
    commune_names: Callable[[str], str]
    zone_polygons: Callable[[str], str]
    zone_overview: Callable[[str], str]
    coverage_json: Callable[[str], str]
    view_data: Callable[[str, str, str], str]
    project_in_list: Callable[[str], str]
    project_card: Callable[[str], str]
    project_page: Callable[[str], str]
    search_index: Callable[[], str]
    territory_bundle: Callable[[str], str]  # a department's places' summaries
    territory_page: Callable[[str, str], str]  # kind, code


@dataclass(frozen=True)
class Tiles:
    url: str | None
    attribution: str


@dataclass
class BuiltMap:
    map: folium.Map


def popup_html(project: Project, data: Dataset, urls: Urls, heading: int = 3, on_page: bool = False) -> str:
    """A project's card: the map's popup, or (`on_page`) the body of its own page, whose
    title is the page's <h1> (`heading`)."""
    territory = ", ".join(data.territory_label(t) for t in project.territoires)
    if project.regionwide:
        note = "Projet régional : il concerne toute la région, il n'est pas placé sur une commune."
    elif project.precision == "departement":
        note = ("Emplacement approximatif : le projet est rattaché au département, le marqueur est "
                "placé à l'intérieur du territoire servi.")
    else:
        note = ("Emplacement approximatif : le texte ne nomme pas de commune d'implantation, le "
                "marqueur est placé à l'intérieur du territoire servi.")
    amount = format_value(float(project.montant_eur), 0) if project.montant_eur is not None else ""
    return _templates.get_template("map/popup.html").render(
        project=project, theme=project.theme_info, territory=territory,
        place=data.territory_label(f"commune:{project.lieu}") if project.lieu else "",
        amount=amount, imprecise_note=note,
        paragraphs=[p for p in project.description.split("\n") if p.strip()],
        list_url=urls.project_in_list(project.id), page_url=urls.project_page(project.id),
        heading=heading, on_page=on_page,
    )


def marker_kind(project: Project) -> str:
    base = "aller-vers" if project.aller_vers else ""
    if project.precise:
        return base or "precise"
    return f"{base}-imprecise" if base else "imprecise"


def marker_label(project: Project) -> str:
    """A marker's accessible name: its title, then in words what its colour, letter and
    shape say."""
    parts = [project.titre, project.theme_info.court]
    if not project.precise:
        parts.append("emplacement approximatif")
    if project.aller_vers:
        parts.append("unité mobile « aller vers »")
    if project.zone_blanche:
        parts.append("zone blanche")
    return f"{parts[0]} — {', '.join(parts[1:])}"


def spread_stacked(points: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Markers at the same place are set on a small circle around it, so each can be clicked."""
    groups: dict[tuple[float, float], list[str]] = defaultdict(list)
    for pid, (lat, lon) in points.items():
        groups[(round(lat, 3), round(lon, 3))].append(pid)
    out = dict(points)
    for ids in groups.values():
        if len(ids) < 2:
            continue
        for i, pid in enumerate(sorted(ids)):
            lat, lon = points[pid]
            angle = 2 * math.pi * i / len(ids)
            out[pid] = (round(lat + STACK_RADIUS_DEG * math.sin(angle), 5),
                        round(lon + STACK_RADIUS_DEG * math.cos(angle) / math.cos(math.radians(lat)), 5))
    return out


def build_map(data: Dataset, urls: Urls, tiles: Tiles, compact: bool = False) -> BuiltMap:
    """The map of every view: the same script whatever the view (the browser applies the
    view from the page's data island, see static/webmap.js), so it is rendered once per
    dataset and served as a cacheable file. `compact` (the embed) folds the layer control
    into a button."""
    fmap = folium.Map(location=data.region_center, zoom_start=8, tiles=None,
                      control_scale=False, prefer_canvas=False, min_zoom=6, max_zoom=16)
    fmap._id = "webmap"  # the page's <div> and the script agree whichever render they come from
    fmap.default_js = [("webmap", urls.map_js)]
    fmap.default_css = []  # Leaflet's styles are in the pages' style sheet (webmap.web.assets.styles)
    # The view is set before any layer is added: layers fetch only what is in view, at once.
    MapSetup(data.region_center, focus_bounds(data)[""]).add_to(fmap)
    if tiles.url:
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution, name="Plan IGN",
                         control=False, max_zoom=18).add_to(fmap)

    parts = commune_parts(data, urls)
    for zone in ZONES:
        filled = zone.opts["style"].get("fill", True)
        RemotePolygons(
            # The unlocated zones are said in the page's legend (render.page_context), not
            # here: a longer name widens the layer control over the map.
            urls.zone_polygons(zone.slug), name=zone.label,
            opts={"key": zone.slug, **zone.opts, "byTheme": zone.by_theme,
                  "order": DRAW_ORDER["zone" if filled else "outline"],
                  "overviewUrl": urls.zone_overview(zone.slug), "detailZoom": DETAIL_ZOOM},
            show=zone.shown,
        ).add_to(fmap)

    for theme in THEMES:
        RemotePolygons(
            "", name=f"Zones blanches calculées — {theme.court}",
            opts={"key": f"zones-calculees-{theme.slug}", "detailsUrl": urls.coverage_json(theme.slug),
                  "order": DRAW_ORDER["zone"], "parts": parts, "minZoom": COMMUNE_MIN_ZOOM,
                  "detailZoom": DETAIL_ZOOM,
                  "style": computed_zone_style(theme.couleur)},
            show=False,
        ).add_to(fmap)

    for theme in THEMES:
        total = sum(p.theme == theme.slug for p in data.projects)
        group = folium.FeatureGroup(name=f"{theme.court} ({total})")
        ProjectMarkers(theme.slug).add_to(group)
        group.add_to(fmap)

    control = folium.LayerControl(collapsed=compact, position="topright" if compact else "bottomleft")
    control.add_to(fmap)
    ProjectOpener(control).add_to(fmap)
    return BuiltMap(fmap)


def commune_parts(data: Dataset, urls: Urls) -> list[dict]:
    """The commune polygons, one file per department, each loaded when in view; their names
    (for tooltips only) in a file of their own, fetched when the pointer first moves over the
    map: the first view does not wait for 3,782 names (25 KB gzipped)."""
    return [{"url": urls.commune_polygons(part.key), "overviewUrl": urls.commune_overview(part.key),
             "namesUrl": urls.commune_names(part.key), "bbox": part.bbox, "offset": part.offset}
            for part in data.polygon_parts("commune")]


def focus_bounds(data: Dataset) -> dict[str, list[list[float]]]:
    """[[south, west], [north, east]] of the region ("") and of each department."""
    out = {}
    region = data.territories.region
    for key, typed in [("", f"region:{region.code}"), *((d, f"departement:{d}") for d in region.departements)]:
        minx, miny, maxx, maxy = data.territories.geometry_of(typed).bounds
        out[key] = [[miny, minx], [maxy, maxx]]
    return out


CARD_ID_SLOT = "__projet__"


def map_data(data: Dataset, view: MapView, urls: Urls,
             page_kinds: tuple[str, ...] = ("commune", "epci", "departement")) -> dict:
    """The page's data island (serialized by the template with `tojson`, inert in HTML): the
    projects as the browser needs them (markers per theme, region-wide cards), the view to
    apply and its figures, where every other view's figures and polygons are, and the
    accepted values of the URL parameters. Every string from the project file reaches the
    browser here, as data, never through a Folium/branca template."""
    placed = [p for p in data.projects if not p.regionwide]
    points = data.memo("marker-points", lambda: spread_stacked({p.id: data.marker_point(p) for p in placed}))
    # The cards' address, once: the browser puts each project's id in it (identifiers are
    # [a-z0-9-], as they are in a URL; building 2,610 addresses took 0.18 s of a national page).
    card_url = urls.project_card(CARD_ID_SLOT)

    kinds = {p.id: marker_kind(p) for p in placed}
    markers = {theme.slug: [
        {"id": p.id, "lat": points[p.id][0], "lon": points[p.id][1], "kind": kinds[p.id],
         "title": p.titre, "label": marker_label(p), "zoneBlanche": p.zone_blanche, "allerVers": p.aller_vers,
         "precise": p.precise, "departements": list(p.departements)}
        for p in placed if p.theme == theme.slug] for theme in THEMES}
    icons = {f"{kind} {theme.slug}": str(symbol_svg(kind, theme.couleur, letter=theme.lettre))
             for theme in THEMES for kind in KINDS}
    regional = [{"id": p.id} for p in data.projects if p.regionwide]
    levels = {}
    for level in LEVEL_RECORDS:
        source = {"parts": commune_parts(data, urls), "minZoom": COMMUNE_MIN_ZOOM, "detailZoom": DETAIL_ZOOM} \
            if level.slug == "commune" else {"url": urls.level_polygons(level.slug),
                                             "overviewUrl": urls.level_overview(level.slug), "detailZoom": DETAIL_ZOOM}
        levels[level.slug] = {**source, "weight": level.outline_px, "label": level.label}
    return {
        "markers": markers, "icons": icons, "regional": regional, "openProject": view.projet,
        "cardUrl": card_url, "cardSlot": CARD_ID_SLOT,
        "view": {"niveau": view.niveau, "indicateur": view.indicateur, "theme": view.theme,
                 "departement": view.departement or "", "legende": view.legende},
        "viewData": view_payload(data, view),
        "viewUrl": urls.view_data(VIEW_SLOTS["niveau"], VIEW_SLOTS["indicateur"], VIEW_SLOTS["theme"]),
        "viewSlots": VIEW_SLOTS,
        "levels": levels,
        "outlineUrl": urls.level_polygons("departement"),
        "outlineOverviewUrl": urls.level_overview("departement"),
        "detailZoom": DETAIL_ZOOM,
        "focus": focus_bounds(data),
        "accepted": {"niveau": list(LEVELS), "indicateur": list(METRICS),
                     "theme": [ALL_THEMES, *(t.slug for t in THEMES)],
                     "departement": list(data.territories.region.departements)},
        "defaults": {k: v for k, v in asdict(MapView()).items() if k in ("niveau", "indicateur", "theme")},
        "labels": {"niveau": {r.slug: r.label for r in LEVEL_RECORDS},
                   "theme": {ALL_THEMES: "tous les thèmes", **{t.slug: t.court for t in THEMES}},
                   "departement": {d: data.territory_label(f"departement:{d}")
                                   for d in data.territories.region.departements}},
        "search": {"index": urls.search_index(), "bundle": urls.territory_bundle("__dep__"),
                   "page": urls.territory_page("__kind__", "__code__"), "shown": view.recherche,
                   "script": urls.search_js,
                   "pageKinds": list(page_kinds)},
        "noDataColor": NO_DATA_COLOR,
        "choroplethStyle": {"color": CLASS_OUTLINE, "fillOpacity": CLASS_FILL_OPACITY},
        "themeColors": {t.slug: t.couleur for t in THEMES},
        "drawOrder": DRAW_ORDER,
    }


# Placeholders of the view file's address, replaced by the browser (never valid values).
VIEW_SLOTS = {"niveau": "__niveau__", "indicateur": "__indicateur__", "theme": "__theme__"}


FIT_PADDING_PX = 12  # WebMap.fitBounds


def viewport_showing(bounds: list[list[float]], zoom: int) -> tuple[int, int]:
    """The smallest map (width, height in px) in which fitBounds(bounds) reaches `zoom`
    (Web Mercator, 256-px tiles)."""
    (south, west), (north, east) = bounds
    scale = 256 * 2 ** zoom

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)

    width = (east - west) / 360 * scale
    height = (mercator_y(north) - mercator_y(south)) * scale
    return math.ceil(width) + 2 * FIT_PADDING_PX + 1, math.ceil(height) + 2 * FIT_PADDING_PX + 1


def preload_links(data: Dataset, view: MapView, urls: Urls) -> list[dict[str, str]]:
    """Commune files the embed will load at once, fetched while Leaflet itself loads: only
    in a frame large enough to show the focus at the commune layer's zoom (the embed's map
    fills its frame), so smaller frames download nothing they will not draw; the overview
    files below DETAIL_ZOOM, the detailed ones from it on. Every view also draws the
    departments' outline and the zones shown at first: fetched at once too (their overview
    or their detail, by the same rule), not once the scripts have run."""
    bounds = focus_bounds(data)[view.departement or ""]
    detail_width, detail_height = viewport_showing(bounds, DETAIL_ZOOM)
    below_detail = f"(max-width: {detail_width - 1}px), (max-height: {detail_height - 1}px)"
    detail = f"(min-width: {detail_width}px) and (min-height: {detail_height}px)"
    drawn = [(urls.level_overview("departement"), urls.level_polygons("departement"))]
    drawn += [(urls.zone_overview(zone.slug), urls.zone_polygons(zone.slug)) for zone in ZONES if zone.shown]
    always = [{"href": overview, "media": below_detail} for overview, _ in drawn] + \
        [{"href": detailed, "media": detail} for _, detailed in drawn]
    if view.niveau != "commune":
        return always
    width, height = viewport_showing(bounds, COMMUNE_MIN_ZOOM)
    shown = f"(min-width: {width}px) and (min-height: {height}px)"
    overview = f"{shown} and (max-width: {detail_width - 1}px), {shown} and (max-height: {detail_height - 1}px)"
    links = [link for link in commune_parts(data, urls) if _overlap(link["bbox"], bounds)]
    return always + [{"href": link["overviewUrl"], "media": overview} for link in links] + \
        [{"href": link["url"], "media": detail} for link in links]


def _overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    return a[0][0] <= b[1][0] and b[0][0] <= a[1][0] and a[0][1] <= b[1][1] and b[0][1] <= a[1][1]


_EXTERNAL_ASSET = re.compile(r"<script src=[^>]*></script>|<link rel=\"stylesheet\"[^>]*/?>")


def _number_elements(fmap: folium.Map) -> None:
    """Folium names each element at random (a uuid4 in `_id`, its script variable's name):
    numbered in the map's order instead, so that the same data always gives the same
    script (two static copies of the same data are byte-identical). The map keeps its name."""
    elements = []

    def walk(element) -> None:
        for child in element._children.values():
            elements.append(child)
            walk(child)

    walk(fmap)
    for number, element in enumerate(elements, 1):
        element._id = str(number)


def render_parts(built: BuiltMap) -> dict[str, str]:
    """The map's assets, its <div> and its script (served as a file of its own).

    Of Folium's <head>, only the links to the scripts and stylesheets are kept: its inline
    styles are in webmap.css, its viewport <meta> forbade zooming the page (an
    accessibility failure), and a page without inline code needs no per-request nonce, so
    it can be cached whole.
    """
    _number_elements(built.map)
    root = built.map.get_root()
    root.render()
    header = "\n".join(_EXTERNAL_ASSET.findall(root.header.render()))
    return {"header": header, "html": root.html.render(), "script": root.script.render()}
