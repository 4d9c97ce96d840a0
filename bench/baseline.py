"""The baseline a Python user would write: `GeoDataFrame.explore()` of the same communes,
coloured by the same metric, plus the project markers, saved as one HTML file.

explore() pages load their JS/CSS from public CDNs; here those files come from the npm
packages of bench/package.json and are served beside the page, so they are counted and the
page works offline. Two tiny files have no registry package and are left out (the baseline
is thereby slightly favoured): Bootstrap 3's glyphicons CSS and folium's awesome-rotate CSS.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import geopandas as gpd

BENCH = Path(__file__).resolve().parent
NPM = BENCH / "node_modules"
CDN_TO_LOCAL = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "bootstrap/dist/js/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css":
        "bootstrap/dist/css/bootstrap.min.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "@fortawesome/fontawesome-free/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css",
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": "d3/d3.min.js",
}
UNAVAILABLE = (
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
)


def write_baseline(out: Path, communes: gpd.GeoDataFrame, metric: str,
                   projects: gpd.GeoDataFrame) -> Path:
    """Write index.html (explore output with local assets) and its vendor files into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    fmap = communes.explore(column=metric, tiles=None, cmap="Purples", legend=True)
    projects.explore(m=fmap, column="theme", tooltip="titre", popup=["titre", "porteur", "theme"],
                     marker_kwds={"radius": 7}, legend=False)
    html_path = out / "index.html"
    fmap.save(str(html_path))
    html = html_path.read_text(encoding="utf-8")
    for url, local in CDN_TO_LOCAL.items():
        target = out / "vendor" / local
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(NPM / local, target)
        html = html.replace(url, f"vendor/{local}")
    for url in UNAVAILABLE:
        html = re.sub(r'<link[^>]*' + re.escape(url) + r'[^>]*/?>', "", html)
    leftover = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    if leftover:
        raise RuntimeError(f"baseline still loads from outside: {leftover}")
    html_path.write_text(html, encoding="utf-8")
    return html_path
