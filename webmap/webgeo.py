"""Geometry as sent to browsers: simplified for screen resolution, encoded as TopoJSON.

The reference files keep ~300 m detail for analysis; a choropleth seen at the region's
zoom needs less, and TopoJSON writes each shared border once, quantized on a 10,000-step
grid (about 25 m here). Measured on the 3,782 communes: 1.48 MB of GeoJSON (374 KB gzipped)
becomes about 0.8 MB of TopoJSON (about 200 KB gzipped); see bench/README.md.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import shapely

WEB_TOLERANCE_DEG = 0.006
QUANTIZATION = 10_000


def simplify_for_screen(gdf: gpd.GeoDataFrame, tolerance: float = WEB_TOLERANCE_DEG) -> gpd.GeoDataFrame:
    """Topology-preserving simplification of a coverage (communes, EPCI, departments)."""
    out = gdf.copy()
    out["geometry"] = shapely.coverage_simplify(out.geometry.values, tolerance)
    return out


def topojson_text(gdf: gpd.GeoDataFrame, columns: list[str], quantization: int = QUANTIZATION) -> str:
    """TopoJSON with one object named "data" and only the given properties."""
    import topojson

    frame = gdf[[*columns, "geometry"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topology = topojson.Topology(frame, prequantize=quantization, topology=True,
                                     object_name="data")
        return topology.to_json()
