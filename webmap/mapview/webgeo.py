"""Geometry as sent to browsers: simplified for screen resolution, snapped to a grid and
encoded as binary polygons (webmap.mapview.polygon_codec).

The reference files keep ~300 m detail for analysis; a choropleth seen at the region's
zoom needs less. Measured on the 3,782 communes (gzipped): 374 KB as GeoJSON, about 220 KB
as quantized TopoJSON, about 100 KB in this format; see bench/README.md.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from webmap.mapview.polygon_codec import encode_polygons, snapped_rings

WEB_TOLERANCE_DEG = 0.006
# The map's polygons (webmap.mapview.polygon_codec) snap to a 0.0005° grid: 0.1 px at the region's
# zoom (8), 1.5 px at zoom 12, where the 0.006° simplification already moves borders by
# up to 17 px. A 0.0001° grid costs 40 % more bytes for no visible difference.
WEB_GRID_DEG = 0.0005


# The overview of the communes (levels of detail): below DETAIL_ZOOM the map draws them
# simplified at 0.015° (coverage_simplify's tolerance, an area criterion: an outline may
# stray further, under 0.03° in the test of the served files, about 5 px at zoom 8, where
# the region is seen whole) on a 0.004° grid: snapping moves a point by at most 0.002°, 0.6 px at zoom 8 at this
# latitude, under the simplification's own error; the grid of 0.001° used before cost
# 51 KB gzipped for the region, this one 40 KB. From DETAIL_ZOOM on, each department's file
# at WEB_TOLERANCE_DEG on WEB_GRID_DEG. Figures: bench/README.md.
OVERVIEW_TOLERANCE_DEG = 0.015
OVERVIEW_GRID_DEG = 0.004
# The other levels (departments, EPCI…: drawn as thick outlines) and the zones have an
# overview too, less simplified: at 0.015° the departments' outline strayed by up to 0.034°
# from its detail (6 px at zoom 8), at 0.01° by 0.0195° (3.5 px); 3.7 → 1.7 KB gzipped for
# the region, 29,300 → 18,000 points for the national benchmark's departments.
OUTLINE_OVERVIEW_TOLERANCE_DEG = 0.01
DETAIL_ZOOM = 9


def simplify_for_screen(gdf: gpd.GeoDataFrame, tolerance: float = WEB_TOLERANCE_DEG) -> gpd.GeoDataFrame:
    """Topology-preserving simplification of a coverage (communes, EPCI, departments)."""
    out = gdf.copy()
    out["geometry"] = shapely.coverage_simplify(out.geometry.values, tolerance)
    return out


def overview_layer(gdf: gpd.GeoDataFrame, tolerance: float = OVERVIEW_TOLERANCE_DEG) -> gpd.GeoDataFrame:
    """A coverage as the low zooms draw it (`tolerance` on OVERVIEW_GRID_DEG).
    A feature that simplification then snapping would leave without a ring (a sliver
    narrower than the grid: two communes of the Somme, about 2 km wide) keeps its screen
    geometry, which overlaps its neighbours by less than a pixel: every feature is drawn
    and can be hovered at every zoom."""
    out = simplify_for_screen(gdf, tolerance)
    lost = [i for i, g in enumerate(out.geometry.values) if not snapped_rings(g, OVERVIEW_GRID_DEG)]
    if lost:
        geometries = out.geometry.values.copy()
        geometries[lost] = simplify_for_screen(gdf.iloc[lost], WEB_TOLERANCE_DEG).geometry.values
        out["geometry"] = geometries
    return out


def overview_shapes(geometries) -> list:
    """Shapes that may overlap (the areas of the zones) as the low zooms draw them,
    simplified one by one at OUTLINE_OVERVIEW_TOLERANCE_DEG; one that would vanish on the
    grid keeps its shape."""
    out = []
    for geometry in geometries:
        coarse = shapely.simplify(geometry, OUTLINE_OVERVIEW_TOLERANCE_DEG)
        out.append(coarse if snapped_rings(coarse, OVERVIEW_GRID_DEG) else geometry)
    return out


def polygons_binary(gdf: gpd.GeoDataFrame, columns: list[str], grid: float = WEB_GRID_DEG) -> bytes:
    """The map's binary polygons (see webmap.mapview.polygon_codec) with only the given properties."""
    return encode_polygons(gdf.geometry.values, {c: gdf[c].tolist() for c in columns}, grid)
