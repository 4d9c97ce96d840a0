"""Assemble the Folium map of a view: choropleth, zones, theme layers, markers."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import folium
import jinja2
from markupsafe import escape

from webmap.analysis.classify import NO_DATA_COLOR, Legend, classify, format_value
from webmap.analysis.metrics import LEVEL_BY_SLUG, METRIC_BY_SLUG
from webmap.mapview.dataset import Dataset
from webmap.mapview.elements import (
    MapSetup,
    ProjectMarkers,
    ProjectOpener,
    RemotePolygons,
)
from webmap.mapview.symbols import KINDS, symbol_svg
from webmap.mapview.view import MapView
from webmap.mapview.zones import ZONES
from webmap.projects import press_kit
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

    leaflet_js: str
    leaflet_css: str
    format_js: str
    webmap_js: str
    polygon_decoder_js: str
    polygons_js: str
    webmap_css: str
    level_polygons: Callable[[str], str]
    commune_polygons: Callable[[str], str]
    zone_polygons: Callable[[str], str]
    coverage_json: Callable[[str], str]
    project_in_list: Callable[[str], str]
    project_card: Callable[[str], str]


@dataclass(frozen=True)
class Tiles:
    url: str | None
    attribution: str


@dataclass
class BuiltMap:
    map: folium.Map
    legend: Legend
    counts_note: str
    # What the page's JSON data island carries: every string that comes from the project
    # file reaches the browser here, as data, never through a Folium/branca template.
    data: dict


def popup_html(project: Project, data: Dataset, urls: Urls) -> str:
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
        list_url=urls.project_in_list(project.id),
    )


def marker_kind(project: Project) -> str:
    base = "aller-vers" if project.aller_vers else ""
    if project.precise:
        return base or "precise"
    return f"{base}-imprecise" if base else "imprecise"


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


def values_in_map_order(data: Dataset, level: str, values) -> list[float | int | None]:
    """One value per polygon of the level, in the order of its map files (None: no data)."""
    out: list[float | int | None] = []
    for code in data.level_order(level):
        value = values.get(code)
        if value is None or math.isnan(value):
            out.append(None)
        else:
            value = round(float(value), 3)
            out.append(int(value) if value.is_integer() else value)
    return out


def metric_legend(data: Dataset, view: MapView) -> tuple[Legend, list, str]:
    result = data.metrics(view.niveau, view.theme_filter)
    metric = METRIC_BY_SLUG[view.indicateur]
    title = f"{metric.label} par {LEVEL_BY_SLUG[view.niveau].label}"
    values = result.table[view.indicateur]
    legend, _ = classify(values, title, metric.unit, metric.decimals)
    note = (f"{result.regionwide} projet(s) couvrant toute la région ne sont pas comptés "
            "ici ; ils figurent dans la liste des projets.") if result.regionwide else ""
    if view.indicateur == "financement" and legend.no_data:
        legend.notes.append(
            "Montants non publiés : le dossier de presse ne donne que le total "
            f"({press_kit.TOTAL_FUNDING_LABEL} pour {press_kit.PROJECTS} projets), pas le montant "
            "de chaque projet. Aucune valeur n'est donc affichée.")
    if view.indicateur == "distance":
        scope = "de ce thème" if view.theme_filter else "tous thèmes confondus"
        legend.notes.append(
            f"Distance en km (Lambert-93) entre la mairie et le site du projet local {scope} le "
            "plus proche ; moyenne pondérée par la population pour un EPCI ou un département. "
            "Règles : page « Couverture ».")
    elif note:
        legend.notes.append(note)
    return legend, values_in_map_order(data, view.niveau, values.to_dict()), note


def build_map(data: Dataset, view: MapView, urls: Urls, tiles: Tiles,
              compact: bool = False) -> BuiltMap:
    """The map of a view; `compact` (the embed) folds the layer control into a button."""
    fmap = folium.Map(location=data.region_center, zoom_start=8, tiles=None,
                      control_scale=False, prefer_canvas=False, min_zoom=6, max_zoom=16)
    fmap.default_js = [("leaflet", urls.leaflet_js), ("format", urls.format_js), ("webmap", urls.webmap_js),
                       ("polygon_decoder", urls.polygon_decoder_js), ("polygons", urls.polygons_js)]
    fmap.default_css = [("leaflet_css", urls.leaflet_css)]
    # The view is set before any layer is added: layers fetch only what is in view, at once.
    focus = f"departement:{view.departement}" if view.departement else "region:32"
    minx, miny, maxx, maxy = data.territories.geometry_of(focus).bounds
    bounds = [[miny, minx], [maxy, maxx]]
    MapSetup(data.region_center, bounds).add_to(fmap)
    if tiles.url:
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution, name="Plan IGN",
                         control=False, max_zoom=18).add_to(fmap)

    legend, values, note = metric_legend(data, view)
    metric = METRIC_BY_SLUG[view.indicateur]
    classes = [{"upper": c.upper, "color": c.color} for c in legend.classes]
    parts = [{"url": urls.commune_polygons(part.key), "bbox": part.bbox, "offset": part.offset}
             for part in data.polygon_parts("commune")]
    level_source = {"parts": parts, "minZoom": COMMUNE_MIN_ZOOM} if view.niveau == "commune" else {}
    RemotePolygons(
        urls.level_polygons(view.niveau), name=legend.title,
        opts={"key": "choropleth", "values": values, "classes": classes,
              "noDataColor": NO_DATA_COLOR,
              "noDataText": metric.no_data,
              "unit": metric.unit, "decimals": metric.decimals, "order": DRAW_ORDER["choropleth"], **level_source,
              "style": {"color": "#4d4d4d", "weight": LEVEL_BY_SLUG[view.niveau].outline_px,
                        "fillOpacity": 0.65}},
    ).add_to(fmap)
    if view.niveau != "departement":
        RemotePolygons(urls.level_polygons("departement"), name="Limites des départements",
                       opts={"key": "departements", "interactive": False, "order": DRAW_ORDER["outline"],
                             "style": {"color": "#161616", "weight": 2, "fill": False}},
                       control=False).add_to(fmap)
    for zone in ZONES:
        filled = zone.opts["style"].get("fill", True)
        RemotePolygons(
            urls.zone_polygons(zone.slug), name=zone.label,
            opts={"key": zone.slug, **zone.opts,
                  **({"onlyThemes": view.theme_filter} if zone.by_theme else {}),
                  "order": DRAW_ORDER["zone" if filled else "outline"]},
            show=zone.shown,
        ).add_to(fmap)

    for theme in THEMES:
        RemotePolygons(
            "", name=f"Zones blanches calculées — {theme.court}",
            opts={"key": f"zones-calculees-{theme.slug}", "detailsUrl": urls.coverage_json(theme.slug),
                  "order": DRAW_ORDER["zone"], "parts": parts, "minZoom": COMMUNE_MIN_ZOOM,
                  "style": {"color": theme.couleur, "weight": 0.6, "fillColor": theme.couleur,
                            "fillOpacity": 0.3}},
            show=False,
        ).add_to(fmap)

    for theme in THEMES:
        total = sum(p.theme == theme.slug for p in data.projects)
        group = folium.FeatureGroup(
            name=f"{theme.court} ({total})",
            show=view.theme_filter is None or theme.slug in view.theme_filter,
        )
        ProjectMarkers(theme.slug).add_to(group)
        group.add_to(fmap)

    folium.LayerControl(collapsed=compact, position="topright" if compact else "bottomleft").add_to(fmap)
    ProjectOpener().add_to(fmap)
    if compact and view.niveau == "commune":
        preload_parts(fmap, [p["url"] for p, part in zip(parts, data.polygon_parts("commune"), strict=True)
                             if _overlap(part.bbox, bounds)], bounds)
    return BuiltMap(fmap, legend, note, map_data(data, view, urls))


def map_data(data: Dataset, view: MapView, urls: Urls) -> dict:
    """The projects as the browser needs them: markers per theme, region-wide cards, the
    project to open. Serialized by the page template with `tojson` (inert in HTML)."""
    placed = [p for p in data.projects if not p.regionwide]
    points = spread_stacked({p.id: data.marker_point(p) for p in placed})
    kinds = {p.id: marker_kind(p) for p in placed}
    markers = {theme.slug: [
        {"id": p.id, "lat": points[p.id][0], "lon": points[p.id][1], "kind": kinds[p.id],
         "icon": f"{kinds[p.id]} {theme.slug}", "title": p.titre, "popupUrl": urls.project_card(p.id)}
        for p in placed if p.theme == theme.slug] for theme in THEMES}
    icons = {f"{kind} {theme.slug}": str(symbol_svg(kind, theme.couleur))
             for theme in THEMES for kind in KINDS}
    regional = [{"id": p.id, "popupUrl": urls.project_card(p.id)}
                for p in data.projects if p.regionwide]
    return {"markers": markers, "icons": icons, "regional": regional, "openProject": view.projet}


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


def preload_parts(fmap: folium.Map, urls: list[str], bounds: list[list[float]]) -> None:
    """Commune files the embed will load at once, fetched while Leaflet itself loads: only
    in a frame large enough to show the focus at the commune layer's zoom (the embed's map
    fills its frame), so smaller frames download nothing they will not draw."""
    width, height = viewport_showing(bounds, COMMUNE_MIN_ZOOM)
    media = f"(min-width: {width}px) and (min-height: {height}px)"
    links = "".join(f'<link rel="preload" as="fetch" crossorigin href="{escape(u)}" '
                    f'media="{media}">' for u in urls)
    fmap.get_root().header.add_child(folium.Element(links), name="wm_preload")


def _overlap(a: list[list[float]], b: list[list[float]]) -> bool:
    return a[0][0] <= b[1][0] and b[0][0] <= a[1][0] and a[0][1] <= b[1][1] and b[0][1] <= a[1][1]


_FOLIUM_METAS = re.compile(r"<meta (?:http-equiv|name=\"viewport\")[^>]*/>", re.S)


def render_parts(built: BuiltMap) -> dict[str, str]:
    """The map's <head> assets, its <div> and its <script>, to place in our own page.

    Folium's own <meta> tags are dropped: ours come first, and its viewport forbids zooming
    the page (an accessibility failure).
    """
    root = built.map.get_root()
    root.render()
    header = _FOLIUM_METAS.sub("", root.header.render())
    return {"header": header, "html": root.html.render(), "script": root.script.render(),
            "data": built.data}
