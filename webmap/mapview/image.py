"""Map images drawn on the server (PNG, SVG): a view of the map, one project, one territory.

For link previews, print and reports. GeoPandas draws the polygons with Matplotlib's Agg
backend; no browser, no basemap. Matplotlib is imported on the first image only (the app's
start-up does not pay for it), and never through pyplot's global figures: each image is its
own `Figure`, and images are drawn one at a time per process (Matplotlib's artists are not
thread-safe). Every text of the data is drawn as plain text (no mathtext, no format), and
stays text in SVG (`svg.fonttype: none`, escaped by Matplotlib's XML writer).

Public functions (pure: same data and arguments, same bytes):

- `map_image(data, view, fmt, width)`: the view of `/` (choropleth, outlines, markers,
  title, legend, sources);
- `project_image(data, project_id, fmt, width)`: one project's served territory and marker;
- `territory_image(data, typed_code, fmt, width)`: a territory (`commune:80021`,
  `epci:…`, `departement:80`…) and the projects that serve it.

`fmt` is "png" or "svg" (`FORMATS`), `width` the image's width in pixels, between
`MIN_WIDTH` and `MAX_WIDTH`; the height follows the map. Unknown project or territory:
`ImageNotFound`; bad `fmt` or `width`: `ValueError`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import geopandas as gpd

from webmap.analysis.classify import CLASS_FILL_OPACITY, CLASS_OUTLINE, NO_DATA_COLOR, format_value
from webmap.analysis.metrics import LEVEL_BY_SLUG, METRIC_BY_SLUG, level_layer
from webmap.mapview.build import marker_kind, spread_stacked
from webmap.mapview.dataset import Dataset
from webmap.mapview.image_layout import (
    DESIGN_WIDTH,
    FONT,
    MARKER_PX,
    Line,
    extent,
    fill_polygons,
    marker_style,
    render,
)
from webmap.mapview.symbols import LEGEND_GREY
from webmap.mapview.view import MapView
from webmap.mapview.views import metric_legend, view_json
from webmap.projects import press_kit
from webmap.projects.schema import THEMES
from webmap.projects.store import Project
from webmap.reference.territories import KIND_LABELS, split_typed_code

FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 300, 2400, DESIGN_WIDTH
MAP_CRS = "EPSG:2154"  # Lambert-93, France's official projection: true shapes for print
REFERENCE_SOURCES = "IGN Admin Express, INSEE (COG 2026) — Licence Ouverte 2.0"
OUTLINE, HIGHLIGHT = "#161616", "#000091"
TERRITORY_FILL = "#e3e3fd"
DETAIL_MIN_SPAN_M = 40_000  # a project's or a territory's image shows at least 40 km around
LIST_MAX = 12  # projects listed by name in a territory's legend


class ImageNotFound(LookupError):
    """No project or territory of that code (the message, in French, says which)."""


def map_image(data: Dataset, view: MapView, fmt: str = "png", width: int = DEFAULT_WIDTH) -> bytes:
    """The image of a view of the map: the same values, classes and colours as the page."""
    _check(fmt, width)
    legend, _, regional_note = metric_legend(data, view)
    choropleth = json.loads(view_json(data, view))["choropleth"]  # the browser's very figures
    values = choropleth["values"]
    colors = [_drawn(color_for(v, choropleth["classes"])) for v in values]
    metric = METRIC_BY_SLUG[view.indicateur]
    layer = _layer(data, view.niveau)
    themes = view.theme_filter or tuple(t.slug for t in THEMES)
    shown = [p for p in data.projects if p.theme in themes]
    placed = [p for p in shown if not p.regionwide]
    regional = len(shown) - len(placed)
    focus = f"departement:{view.departement}" if view.departement else f"region:{data.territories.region.code}"
    theme_label = "Tous les thèmes" if not view.theme_filter else \
        ", ".join(t.court for t in THEMES if t.slug in themes)
    title = " — ".join([legend.title, theme_label] + ([data.territory_label(focus)] if view.departement else []))

    panel: list[Line] = []
    if view.legende:
        panel.append(Line(legend.title, bold=True))
        if legend.no_data:
            panel.append(Line(f"Aucune donnée à afficher ({metric.no_data}).", swatch=_drawn(NO_DATA_COLOR)))
        panel += [Line(c.label, swatch=_drawn(c.color)) for c in legend.classes]
        if not legend.no_data and any(v is None for v in values):
            panel.append(Line(metric.no_data, swatch=_drawn(NO_DATA_COLOR)))
        panel += [Line(note, small=True) for note in legend.notes if note != regional_note]
        panel.append(Line(f"Projets placés ({len(placed)})", bold=True, gap=True))
        panel += [Line(f"{t.court} ({sum(p.theme == t.slug for p in placed)})", symbol=("precise", t.couleur))
                  for t in THEMES if t.slug in themes]
        panel += _kind_lines(placed)
    if regional:
        panel.append(Line(regional_sentence(regional), small=True, gap=True))

    def draw_map(ax, box, scale):
        visible = layer.cx[box[0]:box[2], box[1]:box[3]]
        keep = [layer.index.get_loc(i) for i in visible.index]
        fill_polygons(ax, visible.geometry.values, [colors[i] for i in keep], CLASS_OUTLINE,
                      LEVEL_BY_SLUG[view.niveau].outline_px * max(scale, 0.5))
        if view.departement:  # the other departments under a veil: the focus stands out
            gpd.GeoSeries([_region(data).difference(_shape(data, focus).iloc[0])], crs=MAP_CRS).plot(
                ax=ax, color="#ffffff", alpha=0.55, linewidth=0)
        if view.niveau != "departement":
            _outlines(data, ax, scale=scale)
        _markers(ax, data, placed, True, scale)

    frame = extent(_shape(data, focus).total_bounds, 20_000)
    return render(fmt, width, title, panel, frame, draw_map, _footer(data))


def project_image(data: Dataset, project_id: str, fmt: str = "png", width: int = DEFAULT_WIDTH) -> bytes:
    """One project: its served territory (tinted in its theme's colour), its marker (none
    for a region-wide project), the departments, its title, theme and territory."""
    _check(fmt, width)
    project = data.by_id.get(project_id)
    if project is None:
        raise ImageNotFound(f"aucun projet d'identifiant « {project_id} »")
    theme = project.theme_info
    served = gpd.GeoSeries([data.served_geometry(project)], crs="EPSG:4326").to_crs(MAP_CRS)
    bounds = list(served.total_bounds)
    if not project.regionwide:  # the marker is inside the served area, or in the named commune
        x, y = _points(data, [project], spread=False)[project.id]
        bounds = [min(bounds[0], x), min(bounds[1], y), max(bounds[2], x), max(bounds[3], y)]
    territory = ", ".join(data.territory_label(t) for t in project.territoires)
    amount = "montant non publié" if project.montant_eur is None else \
        f"{format_value(float(project.montant_eur), 0)} €"
    panel = [Line(theme.court, symbol=None if project.regionwide else (marker_kind(project), theme.couleur),
                  swatch=_tint(theme.couleur) if project.regionwide else None, edge=theme.couleur),
             Line(f"Territoire servi : {territory}", swatch=_tint(theme.couleur), edge=theme.couleur),
             Line(f"Montant : {amount}", small=True)]
    if project.porteur:
        panel.insert(0, Line(f"Porteur : {project.porteur}"))
    if project.regionwide:
        panel.append(Line("Projet régional : il concerne toute la région, il n'est pas placé sur "
                          "une commune.", small=True, gap=True))
    elif not project.precise:
        panel.append(Line("Emplacement approximatif : le texte ne nomme pas de commune, le marqueur "
                          "est placé à l'intérieur du territoire servi.", small=True, gap=True))

    def draw_map(ax, box, scale):
        _context(data, ax, box)
        served.plot(ax=ax, color=_tint(theme.couleur), edgecolor=theme.couleur, linewidth=2)
        _outlines(data, ax, detail=True, scale=scale)
        if not project.regionwide:
            _markers(ax, data, [project], False, scale)

    frame = extent(bounds, DETAIL_MIN_SPAN_M)
    return render(fmt, width, project.titre, panel, frame, draw_map, _footer(data))


def territory_image(data: Dataset, typed_code: str, fmt: str = "png", width: int = DEFAULT_WIDTH) -> bytes:
    """A territory outlined, with the markers of the projects that serve it (a project
    serves it when it serves one of its communes; region-wide ones are counted in a note)."""
    _check(fmt, width)
    try:
        kind, _ = split_typed_code(typed_code)
    except ValueError:
        kind = ""
    territory = data.territories.get(typed_code) if kind else None
    if territory is None:
        raise ImageNotFound(f"aucun territoire de code « {typed_code} »")
    shape = gpd.GeoSeries([data.territories.geometry_of(typed_code)], crs="EPSG:4326").to_crs(MAP_CRS)
    members = set(data.territories.communes_of(typed_code))
    serving = [p for p in data.projects if members & _served_communes(data, p)]
    placed = [p for p in serving if not p.regionwide]
    frame = extent(shape.total_bounds, DETAIL_MIN_SPAN_M)
    (west, south, east, north), _ = frame
    points = _points(data, placed, spread=True)
    outside = {pid for pid, (x, y) in points.items() if not (west <= x <= east and south <= y <= north)}
    panel = [Line(f"{territory.label} — {KIND_LABELS[kind]}", swatch=TERRITORY_FILL, edge=HIGHLIGHT),
             Line(f"Projets qui le servent ({len(placed)})", bold=True, gap=True)]
    panel += [Line(p.titre + (" (marqueur hors du cadre)" if p.id in outside else ""),
                   symbol=(marker_kind(p), p.theme_info.couleur)) for p in placed[:LIST_MAX]]
    if len(placed) > LIST_MAX:
        panel.append(Line(f"… et {len(placed) - LIST_MAX} autre(s) : voir la liste des projets.", small=True))
    if not placed:
        panel.append(Line("Aucun projet local ou départemental ne le sert.", small=True))
    panel += _kind_lines(placed)
    regional = len(serving) - len(placed)
    if regional:
        panel.append(Line(regional_sentence(regional), small=True, gap=True))

    def draw_map(ax, box, scale):
        _context(data, ax, box)
        shape.plot(ax=ax, color=TERRITORY_FILL, edgecolor=HIGHLIGHT, linewidth=2.5)
        _outlines(data, ax, detail=True, scale=scale)
        _markers(ax, data, placed, True, scale)

    return render(fmt, width, territory.label, panel, frame, draw_map, _footer(data))


def regional_sentence(count: int) -> str:
    if count == 1:
        return "1 projet couvre toute la région : il n'est pas placé sur la carte."
    return f"{count} projets couvrent toute la région : ils ne sont pas placés sur la carte."


def color_for(value: float | None, classes: list[dict]) -> str:
    """A value's colour from a view file's classes (`[{upper, color}]`), by the rule of the
    browser's `WebMap.colorFor`."""
    if value is None:
        return NO_DATA_COLOR
    for c in classes:
        if value <= c["upper"] + 1e-9:
            return c["color"]
    return classes[-1]["color"] if classes else NO_DATA_COLOR


# --- the data, in Lambert-93 ---------------------------------------------------------------

def _layer(data: Dataset, level: str, detail: bool = False) -> gpd.GeoDataFrame:
    """A level's polygons in Lambert-93: simplified for the screen, in the map's order (the
    order of the values `choropleth_as_sent` sends); `detail`, the reference polygons (close-ups)."""
    def compute():
        if detail:
            return level_layer(data.territories, level)[["code", "geometry"]].to_crs(MAP_CRS)
        layer = data.screen_layer(level).set_index("code").loc[data.level_order(level)]
        return layer[["geometry"]].to_crs(MAP_CRS).reset_index()
    return data.territories.memo(("image", level, detail), compute)


def _shape(data: Dataset, typed: str) -> gpd.GeoSeries:
    return gpd.GeoSeries([data.territories.geometry_of(typed)], crs="EPSG:4326").to_crs(MAP_CRS)


def _region(data: Dataset):
    typed = f"region:{data.territories.region.code}"
    return data.territories.memo(("image", "region"), lambda: _shape(data, typed).iloc[0])


def _points(data: Dataset, projects: list[Project], spread: bool) -> dict[str, tuple[float, float]]:
    """Markers' (x, y) in Lambert-93; `spread`: set apart as the map does when they share a place."""
    if spread:
        latlon = data.memo("spread markers", lambda: spread_stacked(
            {p.id: data.marker_point(p) for p in data.projects if not p.regionwide}))
    else:
        latlon = {p.id: data.marker_point(p) for p in projects}
    ids = [p.id for p in projects]
    series = gpd.GeoSeries(gpd.points_from_xy([latlon[i][1] for i in ids], [latlon[i][0] for i in ids]),
                           crs="EPSG:4326").to_crs(MAP_CRS)
    return {i: (pt.x, pt.y) for i, pt in zip(ids, series, strict=True)}


def _served_communes(data: Dataset, project: Project) -> frozenset[str]:
    return data.memo(("communes served", project.id), lambda: frozenset(
        c for t in project.territoires for c in data.territories.communes_of(t)))


def _footer(data: Dataset) -> list[str]:
    updated = "date inconnue"
    if data.modified is not None:
        try:
            zone = ZoneInfo("Europe/Paris")
        except ZoneInfoNotFoundError:  # no time zone database: the date in UTC
            zone = UTC
        updated = datetime.fromtimestamp(data.modified, zone).strftime("%d/%m/%Y")
    return [f"Sources : {press_kit.SOURCE_LABEL} ; {REFERENCE_SOURCES}.",
            f"Données : fichier des projets du {updated} (version {data.version}). "
            "Montants par projet non publiés."]


# --- drawing ---------------------------------------------------------------------------------

def _kind_lines(placed: list[Project]) -> list[Line]:
    kinds = {marker_kind(p) for p in placed}
    texts = {"precise": "commune nommée", "imprecise": "emplacement approximatif",
             "aller-vers": "unité mobile « aller vers »",
             "aller-vers-imprecise": "« aller vers », emplacement approximatif"}
    return [Line(text, symbol=(kind, LEGEND_GREY), small=True) for kind, text in texts.items() if kind in kinds]


def _tint(color: str) -> str:
    """The colour mixed with 75 % white: a fill under outlines and markers."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * 0.75):02x}" for c in rgb)


def _outlines(data: Dataset, ax, detail: bool = False, scale: float = 1) -> None:
    """The departments' borders, as the map draws them over finer levels."""
    _layer(data, "departement", detail).boundary.plot(ax=ax, color=OUTLINE, linewidth=2 * max(scale, 0.5))


def _drawn(color: str) -> str:
    """A class colour as the map shows it: at CLASS_FILL_OPACITY over the white backdrop (no
    basemap here), for the polygons and their legend swatches alike."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * CLASS_FILL_OPACITY + 255 * (1 - CLASS_FILL_OPACITY)):02x}" for c in rgb)


def _context(data: Dataset, ax, box) -> None:
    """The communes around, in light grey: where a small territory is."""
    communes = _layer(data, "commune", detail=True).cx[box[0]:box[2], box[1]:box[3]]
    fill_polygons(ax, communes.geometry.values, ["#f6f6f6"] * len(communes), "#cecece", 0.4)


def _markers(ax, data: Dataset, projects: list[Project], spread: bool, scale: float) -> None:
    points = _points(data, projects, spread)
    for p in projects:
        kind, theme = marker_kind(p), p.theme_info
        x, y = points[p.id]
        ax.scatter([x], [y], zorder=5, **marker_style(kind, theme.couleur, scale))
        if MARKER_PX * scale >= 12:  # the theme's letter: the theme is not told by colour alone
            ax.text(x, y, theme.lettre, ha="center", va="center", zorder=6, fontfamily=FONT,
                    fontsize=9 * scale, fontweight="bold", parse_math=False, clip_on=True,
                    color="#ffffff" if kind in ("precise", "aller-vers") else theme.couleur)


def _check(fmt: str, width: int) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format « {fmt} » : {', '.join(FORMATS)} attendu")
    if not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"largeur {width!r} : un entier de {MIN_WIDTH} à {MAX_WIDTH} attendu")
