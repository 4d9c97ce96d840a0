"""The floor: the least any page can do to show the same markers with the app's Leaflet.

One static HTML page, the app's own leaflet.js and leaflet.css (the XStatic package the app
serves) beside it, and one canvas circle marker per placed project, fitted to their bounds
without animation. No tiles, no polygons, no controls beyond Leaflet's defaults. Ready
(`<html data-ready="1">`) one animation frame after the markers are added.

The floor with communes (`communes.html`, same folder): the same page that also fills the
same commune polygons the map draws at this zoom (its overview files, decoded by the bench),
the least way a page can: coordinates already projected (zoom-0 pixels), as SVG path text in
a script beside the page (no fetch, no decoding, no projection in the page), one canvas in
Leaflet's overlay pane, five paths each parsed from its text in one call, filled by class
(one commune in five each: the cost of a five-class choropleth, not its figures; non-zero
rule, the rings being oriented) and stroked once. No hover, no names, no legend: it says
what drawing the communes costs by itself.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
from pathlib import Path

import geopandas as gpd
import xstatic.pkg.leaflet as xleaflet

READY = "document.documentElement.dataset.ready === '1'"

PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Plancher : Leaflet et {count} marqueurs</title>
<link rel="stylesheet" href="leaflet.css">
<style>html, body, #carte {{ height: 100%; margin: 0; }}</style>
<script src="leaflet.js"></script>{head}
</head>
<body>
<div id="carte"></div>
<script>
var points = {points};
var map = L.map("carte", {{ preferCanvas: true, maxZoom: 18 }});
map.fitBounds(L.latLngBounds(points), {{ animate: false }});
{draw}var markers = points.map(function (p) {{ return L.circleMarker(p, {{ radius: 7 }}); }});
L.featureGroup(markers).addTo(map);
requestAnimationFrame(function () {{ document.documentElement.dataset.ready = "1"; }});
</script>
</body>
</html>
"""


DRAW_COMMUNES = """var size = map.getSize(), canvas = document.createElement("canvas");
canvas.width = size.x; canvas.height = size.y;
L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
map.getPanes().overlayPane.appendChild(canvas);
var context = canvas.getContext("2d"), fills = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
var scale = Math.pow(2, map.getZoom()), corner = map.containerPointToLayerPoint([0, 0]).add(map.getPixelOrigin());
context.setTransform(scale, 0, 0, scale, -corner.x, -corner.y);
var paths = communePaths.map(function (data) {{ return new Path2D(data); }});
context.globalAlpha = 0.8;
paths.forEach(function (path, j) {{ context.fillStyle = fills[j]; context.fill(path); }});
context.globalAlpha = 1; context.strokeStyle = "#fff"; context.lineWidth = 0.5 / scale;
paths.forEach(function (path) {{ context.stroke(path); }});
"""


def _world_pixel(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator at zoom 0 (a 256-pixel world), as Leaflet projects."""
    y = math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85.0511287798), -85.0511287798)) / 2))
    return 256 * (0.5 + lon / 360), 256 * (0.5 - y / (2 * math.pi))


def commune_paths(communes: list[list[list[tuple[float, float]]]], classes: int = 5) -> list[str]:
    """SVG path data per class (commune i in class i % classes), in zoom-0 pixels to 1e-6 px:
    a Path2D is parsed from it in one call, the fastest way to build one in Chromium."""
    out: list[list[str]] = [[] for _ in range(classes)]
    for i, feature in enumerate(communes):
        for ring in feature:
            points = [_world_pixel(lon, lat) for lon, lat in ring]
            out[i % classes].append("M" + "L".join(f"{x:.6f} {y:.6f}" for x, y in points) + "Z")
    return ["".join(parts) for parts in out]


def write_floor(folder: Path, points: gpd.GeoDataFrame,
                communes: list[list[list[tuple[float, float]]]] | None = None) -> Path:
    """Write index.html, leaflet.js and leaflet.css into `folder`; one marker per point. With
    `communes` (per commune, its rings of (lon, lat)): also communes.html and communes.js."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(Path(xleaflet.BASE_DIR) / name, folder / name)
    placed = points[points.geometry.notna() & ~points.geometry.is_empty]
    latlngs = [[round(p.y, 5), round(p.x, 5)] for p in placed.geometry]
    page = functools.partial(PAGE.format, count=len(latlngs), points=json.dumps(latlngs, separators=(",", ":")))
    html_path = folder / "index.html"
    html_path.write_text(page(head="", draw=""), encoding="utf-8")
    if communes is not None:
        paths = json.dumps(commune_paths(communes), separators=(",", ":"))
        (folder / "communes.js").write_text(f"var communePaths = {paths};\n", encoding="utf-8")
        (folder / "communes.html").write_text(
            page(head='\n<script src="communes.js"></script>', draw=DRAW_COMMUNES.format()), encoding="utf-8")
    return html_path
