"""The floor: the least any page can do to show the same markers with the app's Leaflet.

One static HTML page, the app's own leaflet.js and leaflet.css (the XStatic package the app
serves) beside it, and one canvas circle marker per placed project, fitted to their bounds
without animation. No tiles, no polygons, no controls beyond Leaflet's defaults. Ready
(`<html data-ready="1">`) one animation frame after the markers are added.

The floor with communes (`communes.html`, same folder): the same page that also fills the
same commune polygons the map draws at this zoom (its overview files, decoded by the bench),
the least way a page can: coordinates already in a script beside the page (no fetch, no
decoding), one canvas in Leaflet's overlay pane, five paths filled by class (one commune in
five each: the cost of a five-class choropleth, not its figures) and stroked once. No
hover, no names, no legend: it says what drawing the communes costs by itself.
"""

from __future__ import annotations

import functools
import json
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
var paths = fills.map(function () {{ return new Path2D(); }});
communes.forEach(function (rings, i) {{
  var path = paths[i % 5];
  rings.forEach(function (ring) {{
    for (var k = 0; k < ring.length; k++) {{
      var q = map.latLngToContainerPoint(ring[k]);
      if (k) path.lineTo(q.x, q.y); else path.moveTo(q.x, q.y);
    }}
    path.closePath();
  }});
}});
context.globalAlpha = 0.8;
paths.forEach(function (path, j) {{ context.fillStyle = fills[j]; context.fill(path, "evenodd"); }});
context.globalAlpha = 1; context.strokeStyle = "#fff"; context.lineWidth = 0.5;
paths.forEach(function (path) {{ context.stroke(path); }});
"""


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
        rings = [[[[round(lat, 5), round(lon, 5)] for lon, lat in ring] for ring in feature] for feature in communes]
        (folder / "communes.js").write_text(f"var communes = {json.dumps(rings, separators=(',', ':'))};\n",
                                            encoding="utf-8")
        (folder / "communes.html").write_text(
            page(head='\n<script src="communes.js"></script>', draw=DRAW_COMMUNES.format()), encoding="utf-8")
    return html_path
