"""The map's binary polygon format: what goes in comes back, snapped to the grid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from webmap.mapview.polygon_codec import (
    DecodeError,
    decode_polygons,
    encode_polygons,
    pack_column,
    unpack_column,
)

STEP = 0.0005
SQUARE_WITH_HOLE = shapely.Polygon([(2, 50), (2.1, 50), (2.1, 50.1), (2, 50.1)],
                                   [[(2.03, 50.03), (2.06, 50.03), (2.06, 50.06), (2.03, 50.06)]])
TWO_ISLANDS = shapely.MultiPolygon([shapely.box(3, 49, 3.02, 49.02), shapely.box(3.1, 49, 3.13, 49.02)])


def test_round_trip_keeps_shapes_holes_islands_and_properties():
    data = encode_polygons([SQUARE_WITH_HOLE, TWO_ISLANDS],
                           {"code": ["59001", "59002"], "nom": ["Abancourt", "Élincourt-Sainte-Marguerite"]}, STEP)
    decoded = decode_polygons(data)
    assert decoded.properties == {"code": ["59001", "59002"],
                                  "nom": ["Abancourt", "Élincourt-Sainte-Marguerite"]}
    assert [len(r) for r in decoded.rings] == [2, 2]
    for index, original in enumerate([SQUARE_WITH_HOLE, TWO_ISLANDS]):
        back = decoded.geometry(index)
        assert back.symmetric_difference(original).area < 1e-9
        assert back.area == pytest.approx(original.area, rel=1e-6)


def test_vertices_move_by_at_most_half_a_grid_step():
    wobbly = shapely.Polygon([(2.00013, 50.00021), (2.10041, 50.00007), (2.05, 50.08888)])
    ring = decode_polygons(encode_polygons([wobbly], {}, STEP)).rings[0][0]
    for (x, y), (ox, oy) in zip(ring, list(wobbly.exterior.coords)[:-1], strict=True):
        assert abs(x - ox) <= STEP / 2 + 1e-12 and abs(y - oy) <= STEP / 2 + 1e-12


def test_rings_collapsing_on_the_grid_are_dropped_and_empty_features_kept():
    speck = shapely.box(2, 50, 2.0001, 50.0001)  # smaller than a grid step
    decoded = decode_polygons(encode_polygons([speck, shapely.Polygon(), TWO_ISLANDS],
                                              {"code": ["a", "b", "c"]}, STEP))
    assert [len(r) for r in decoded.rings] == [0, 0, 2]
    assert decoded.properties["code"] == ["a", "b", "c"]


def test_consecutive_duplicates_after_snapping_are_dropped():
    near = shapely.Polygon([(2, 50), (2.00001, 50.00001), (2.1, 50), (2.1, 50.1)])
    ring = decode_polygons(encode_polygons([near], {}, STEP)).rings[0][0]
    assert len(ring) == 3


def test_property_length_must_match():
    with pytest.raises(ValueError, match="1 values for 2 features"):
        encode_polygons([TWO_ISLANDS, TWO_ISLANDS], {"code": ["x"]}, STEP)


def test_lines_are_refused():
    with pytest.raises(ValueError, match="polygons only"):
        encode_polygons([shapely.MultiLineString([[(0, 0), (1, 1)]])], {}, STEP)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b"XXXX" + b[4:], "not a WMP1"),
    (lambda b: b[:-3], "truncated"),
    (lambda b: b + b"\x00", "bytes left"),
])
def test_damaged_streams_are_reported(damage, message):
    data = encode_polygons([SQUARE_WITH_HOLE], {"code": ["1"]}, STEP)
    with pytest.raises(DecodeError, match=message):
        decode_polygons(damage(data))


def test_codes_are_packed_as_steps_after_a_prefix():
    codes = ["02001", "02002", "02010", "02810"]
    packed = pack_column(codes)
    assert packed == {"prefix": "02", "width": 3, "deltas": [1, 1, 8, 800]}
    assert unpack_column(packed) == codes
    corsica = pack_column(["2A004", "2A006"])
    assert isinstance(corsica, dict) and unpack_column(corsica) == ["2A004", "2A006"]
    for plain in (["b", "a"], ["59002", "59001"], ["001", "02"], [1, 2], ["x1", "y2"], []):
        assert pack_column(plain) == plain


@given(st.lists(st.text(alphabet="0123456789AB", min_size=1, max_size=6), max_size=30))
def test_any_column_survives_packing(values):
    assert unpack_column(pack_column(values)) == values


def test_rings_are_oriented_exteriors_counter_clockwise_holes_clockwise():
    clockwise = shapely.Polygon(list(SQUARE_WITH_HOLE.exterior.coords)[::-1],
                                [list(SQUARE_WITH_HOLE.interiors[0].coords)])
    exterior, hole = decode_polygons(encode_polygons([clockwise], {}, STEP)).rings[0]
    assert shapely.LinearRing(exterior).is_ccw and not shapely.LinearRing(hole).is_ccw


# The Node tests of the browser decoder (tests/js) read these files: the Python encoder
# writes them, the Python decoder states what they hold.
JS_FIXTURES = Path(__file__).resolve().parent / "js" / "fixtures"


def js_fixture() -> tuple[bytes, dict]:
    data = encode_polygons([SQUARE_WITH_HOLE, TWO_ISLANDS],
                           {"code": ["59001", "59002"], "nom": ["Abancourt", "Élincourt-Sainte-Marguerite"]},
                           STEP)
    decoded = decode_polygons(data)
    expected = {
        "count": 2,
        "properties": decoded.properties,
        "rings": [[[[round(x, 6), round(y, 6)] for x, y in ring] for ring in rings] for rings in decoded.rings],
    }
    return data, expected


def test_js_decoder_fixtures_are_current():
    data, expected = js_fixture()
    assert (JS_FIXTURES / "two-features.bin").read_bytes() == data
    assert json.loads((JS_FIXTURES / "two-features.json").read_text(encoding="utf-8")) == expected
