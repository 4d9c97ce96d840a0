"""Polygons for the browser as compact binary: the map's choropleth geometry.

Why not TopoJSON: measured on the 3,782 communes, TopoJSON's text arcs stay around 6 bytes
(gzipped) per vertex and its arc references cost as much again; this format costs about
2 bytes per vertex and has no references (bench/README.md gives the figures).

Layout (all integers are unsigned LEB128 varints; signed ones are zigzag-encoded first):

    b"WMP1"
    header length, then the header: UTF-8 JSON
        {"step": degrees per grid unit, "origin": [x0, y0] in grid units,
         "count": number of features, "properties": {name: column, ...}}
        where a column is the list of the features' values, or, for ascending codes of
        digits after a shared prefix (INSEE, SIREN), {"prefix", "width", "deltas"}
    for each feature: number of rings; for each ring: number of points, then for each
        point the zigzag deltas (dx, dy) in grid units from the previous point of the
        whole stream (the first from the origin)

A feature is the set of its rings under the even-odd rule (holes and islands alike), so
the browser hit-tests it with one ray cast. Rings are also oriented (exteriors
counter-clockwise, holes clockwise): for valid polygons the non-zero rule gives the same
fill, and the browser fills a whole class of features with one call under it. Rings are
not closed (the last point is not repeated); points are snapped to the grid and
consecutive duplicates dropped; a ring left with fewer than three points is dropped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
import shapely

MAGIC = b"WMP1"


class DecodeError(ValueError):
    pass


def _varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value >> 1 if value % 2 == 0 else -((value + 1) >> 1)


def _rings(geometry: shapely.Geometry | None) -> list[np.ndarray]:
    if geometry is None or geometry.is_empty:
        return []
    geometry = shapely.orient_polygons(geometry)
    polygons = getattr(geometry, "geoms", [geometry])
    rings = []
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            raise ValueError(f"polygons only, got {polygon.geom_type}")
        rings.append(np.asarray(polygon.exterior.coords)[:-1])
        rings.extend(np.asarray(hole.coords)[:-1] for hole in polygon.interiors)
    return rings


def _snap(ring: np.ndarray, step: float) -> list[tuple[int, int]]:
    grid = np.rint(ring / step).astype(np.int64)
    points: list[tuple[int, int]] = []
    for x, y in grid.tolist():
        if not points or points[-1] != (x, y):
            points.append((x, y))
    while len(points) > 1 and points[-1] == points[0]:
        points.pop()
    return points if len(points) >= 3 else []


def snapped_rings(geometry: shapely.Geometry | None, step: float) -> list[list[tuple[int, int]]]:
    """A geometry's rings as the stream carries them: on the grid, in grid units, without
    the rings that snapping reduces to fewer than three points."""
    return [r for r in (_snap(ring, step) for ring in _rings(geometry)) if r]


def pack_column(values: list) -> list | dict:
    """Ascending codes as a prefix and integer steps: 3,782 commune codes take 0.5 KB
    gzipped instead of 7 KB."""
    if not values or not all(isinstance(v, str) for v in values):
        return values
    width = len(values[0])
    prefix = os.path.commonprefix(values)[: width - 1]
    while prefix and not all(v[len(prefix):].isdigit() for v in values):
        prefix = prefix[:-1]
    tails = [v[len(prefix):] for v in values]
    if any(len(v) != width or not t.isdigit() for v, t in zip(values, tails, strict=True)):
        return values
    numbers = [int(t) for t in tails]
    if any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
        return values
    return {"prefix": prefix, "width": width - len(prefix),
            "deltas": [b - a for a, b in zip([0, *numbers], numbers, strict=False)]}


def unpack_column(column: list | dict) -> list:
    if isinstance(column, list):
        return column
    out, value = [], 0
    for delta in column["deltas"]:
        value += delta
        out.append(column["prefix"] + str(value).zfill(column["width"]))
    return out


def encode_polygons(geometries, properties: dict[str, list], step: float) -> bytes:
    """Geometries (Polygon/MultiPolygon, lon/lat) and their properties, one value per
    feature in each column, snapped to a grid of `step` degrees."""
    geometries = list(geometries)
    for name, column in properties.items():
        if len(column) != len(geometries):
            raise ValueError(f"property {name!r}: {len(column)} values for {len(geometries)} features")
    snapped = [snapped_rings(g, step) for g in geometries]
    xs = [x for rings in snapped for ring in rings for x, _ in ring]
    ys = [y for rings in snapped for ring in rings for _, y in ring]
    origin = [min(xs, default=0), min(ys, default=0)]
    header = json.dumps({"step": step, "origin": origin, "count": len(geometries),
                         "properties": {k: pack_column(list(v)) for k, v in properties.items()}},
                        ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out = bytearray(MAGIC)
    _varint(out, len(header))
    out += header
    px, py = origin
    for rings in snapped:
        _varint(out, len(rings))
        for ring in rings:
            _varint(out, len(ring))
            for x, y in ring:
                _varint(out, _zigzag(x - px))
                _varint(out, _zigzag(y - py))
                px, py = x, y
    return bytes(out)


@dataclass
class DecodedPolygons:
    step: float
    properties: dict[str, list]
    rings: list[list[list[tuple[float, float]]]]  # per feature, per ring, (lon, lat)

    def geometry(self, index: int) -> shapely.Geometry:
        """A feature as a shapely geometry (even-odd: the symmetric difference of its rings)."""
        shape = shapely.Polygon()
        for ring in self.rings[index]:
            # Snapped to a coarse grid, a ring may cross itself: as the canvas fills it.
            shape = shapely.symmetric_difference(shape, shapely.make_valid(shapely.Polygon(ring)))
        return shape


def decode_polygons(data: bytes) -> DecodedPolygons:
    """The inverse of encode_polygons (coordinates come back snapped to the grid)."""
    if data[:4] != MAGIC:
        raise DecodeError("not a WMP1 stream")
    pos = 4

    def varint() -> int:
        nonlocal pos
        shift = value = 0
        while True:
            if pos >= len(data):
                raise DecodeError("truncated stream")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    length = varint()
    header = json.loads(data[pos:pos + length].decode("utf-8"))
    pos += length
    step = header["step"]
    px, py = header["origin"]
    features = []
    for _ in range(header["count"]):
        rings = []
        for _ in range(varint()):
            ring = []
            for _ in range(varint()):
                px += _unzigzag(varint())
                py += _unzigzag(varint())
                ring.append((px * step, py * step))
            rings.append(ring)
        features.append(rings)
    if pos != len(data):
        raise DecodeError(f"{len(data) - pos} bytes left after the last feature")
    properties = {k: unpack_column(v) for k, v in header["properties"].items()}
    return DecodedPolygons(step, properties, features)

