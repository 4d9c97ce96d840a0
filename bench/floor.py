"""The floor: the least any page can do to show the same markers with the app's Leaflet.

One static HTML page, the app's own leaflet.js and leaflet.css (the XStatic package the app
serves) beside it, and one canvas circle marker per placed project, fitted to their bounds
without animation. No tiles, no polygons, no controls beyond Leaflet's defaults. Ready
(`<html data-ready="1">`) one animation frame after the markers are added.
"""

from __future__ import annotations

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
<script src="leaflet.js"></script>
</head>
<body>
<div id="carte"></div>
<script>
var points = {points};
var map = L.map("carte", {{ preferCanvas: true, maxZoom: 18 }});
map.fitBounds(L.latLngBounds(points), {{ animate: false }});
var markers = points.map(function (p) {{ return L.circleMarker(p, {{ radius: 7 }}); }});
L.featureGroup(markers).addTo(map);
requestAnimationFrame(function () {{ document.documentElement.dataset.ready = "1"; }});
</script>
</body>
</html>
"""


def write_floor(folder: Path, points: gpd.GeoDataFrame) -> Path:
    """Write index.html, leaflet.js and leaflet.css into `folder`; one marker per point."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(Path(xleaflet.BASE_DIR) / name, folder / name)
    placed = points[points.geometry.notna() & ~points.geometry.is_empty]
    latlngs = [[round(p.y, 5), round(p.x, 5)] for p in placed.geometry]
    html_path = folder / "index.html"
    html_path.write_text(PAGE.format(count=len(latlngs), points=json.dumps(latlngs, separators=(",", ":"))),
                         encoding="utf-8")
    return html_path
