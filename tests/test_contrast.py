"""Contrast of the map's graphics (WCAG 1.4.11 / RGAA 3.3: 3:1 for the parts of a graphic
needed to understand it), computed from the colours the code sends to the browser: the class
palette, its opacity and outline (analysis/classify.py), the marker symbols as drawn
(mapview/symbols.py), the zone styles (mapview/zones.py) and the focus rings (webmap.css).

Where no tile is drawn (basemap off, as in the tests, or not yet loaded), the map's backdrop is
the white of webmap.css: every fill is composited over it at its layer's opacity, as the
canvas does (source-over in sRGB). A marker can sit on any class of the choropleth, under any
set of zone fills, so each of those is a background. Over a basemap, the fills take some of
its colours: its darker features (water, forest) darken the darkest class a little, hence
the margin of the black outlines.

`python tests/test_contrast.py` prints the minimum of each category. One browser test checks
that Chromium applies the focus ring parsed from the stylesheet.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from webmap.analysis.classify import CLASS_FILL_OPACITY, CLASS_OUTLINE, NO_DATA_COLOR, PALETTE, ZERO_COLOR, classify
from webmap.mapview.symbols import KINDS, SIZE, symbol_svg
from webmap.mapview.zones import ZONES, computed_zone_style
from webmap.projects.schema import THEME_BY_SLUG, THEMES

CSS = Path(__file__).resolve().parents[1] / "webmap" / "static" / "webmap.css"
WHITE = (255.0, 255.0, 255.0)
REQUIRED = 3.0
# Sequential classes cannot all differ by 3:1 (WCAG's figure for graphics): they are outlined
# (above), and the steps between neighbours are made as even as the range allows: from the
# zero class to the darkest class on which the outline still reaches 3:1, five equal steps
# of about 1.41:1 (ColorBrewer's Purples had 1.22:1 between two of its classes at this opacity).
ADJACENT_CLASSES_MIN = 1.40
MIN_BAND_PX = 1.0  # a ring of a marker thinner than this does not count as its edge

Colour = tuple[float, float, float]


# WCAG 2.x relative luminance and contrast ratio.

def rgb(text: str) -> Colour:
    """A CSS colour as written in our code: #rgb, #rrggbb, rgb() or rgba() (alpha dropped)."""
    text = text.strip().lower()
    if text in ("white", "black"):
        return WHITE if text == "white" else (0.0, 0.0, 0.0)
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        assert re.fullmatch(r"[0-9a-f]{6}", digits), text
        return tuple(float(int(digits[i:i + 2], 16)) for i in (0, 2, 4))
    match = re.fullmatch(r"rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+).*\)", text)
    assert match, f"colour not understood: {text!r}"
    return tuple(float(v) for v in match.groups())


def luminance(colour: Colour) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Colour | str, b: Colour | str) -> float:
    la, lb = (luminance(rgb(c) if isinstance(c, str) else c) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def over(colour: Colour | str, alpha: float, below: Colour) -> Colour:
    top = rgb(colour) if isinstance(colour, str) else colour
    return tuple(alpha * t + (1 - alpha) * u for t, u in zip(top, below, strict=True))


def hexa(colour: Colour) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in colour)


# What the map draws.

@functools.cache
def backdrop() -> Colour:
    """The map's background under the fills where no tile is drawn (page and embed)."""
    found = {rgb(decl["background"]) for selectors, decl in css_rules() for s in selectors
             if s in (".wm-map .leaflet-container", ".wm-embed-map .leaflet-container") and "background" in decl}
    assert len(found) == 1, f"the map's backdrop in webmap.css: {found}"
    return found.pop()


@functools.cache
def class_fills() -> dict[str, Colour]:
    """Every colour a choropleth polygon can take, as drawn over the backdrop."""
    return {c: over(c, CLASS_FILL_OPACITY, backdrop()) for c in (ZERO_COLOR, NO_DATA_COLOR, *PALETTE)}


def legends_colours() -> list[list[str]]:
    """The colours of the classes of every legend `classify` can make, in order: zero, then
    1 to k classes of positive values (the ramp is taken from its dark end)."""
    out = []
    for distinct in range(1, len(PALETTE) + 3):
        values = pd.Series([0.0, *range(1, distinct + 1)], dtype=float)
        legend, _ = classify(values, "t", "u")
        out.append([c.color for c in legend.classes])
    return out


def zone_layers() -> list[tuple[str, str, float, list[str], float]]:
    """(name, fill colour or "", fill opacity, outline colours, outline width) of each zone layer."""
    layers = []
    styled = [(zone.label, zone.opts["style"], "colorProperty" in zone.opts) for zone in ZONES]
    styled += [(f"Zones blanches calculées — {t.court}", computed_zone_style(t.couleur), False) for t in THEMES]
    for name, style, per_theme in styled:
        lines = [t.couleur for t in THEMES] if per_theme else [style["color"]]
        fill = style["fillColor"] if style.get("fill", True) is not False else ""  # as polygons.js
        layers.append((name, fill, style["fillOpacity"] if fill else 0.0, lines, style["weight"]))
    return layers


@functools.cache
def backgrounds() -> dict[str, Colour]:
    """What a marker, a zone line or a focus ring can be drawn on: the backdrop (choropleth
    off), each class, each under every combination of zone fills."""
    bases = {"fond de carte": backdrop(), **{f"classe {c}": fill for c, fill in class_fills().items()}}
    filled = [(name, fill, alpha) for name, fill, alpha, _, _ in zone_layers() if fill]
    out = {}
    for base_name, base in bases.items():
        for n in range(len(filled) + 1):
            for chosen in itertools.combinations(filled, n):
                colour = base
                for _, fill, alpha in chosen:
                    colour = over(fill, alpha, colour)
                out[" + ".join([base_name, *(name for name, _, _ in chosen)])] = colour
    return out


# Marker symbols: the colours seen from the outside in, read from the SVG as drawn.

def _shapes(svg: str) -> list[dict]:
    """The symbol's circles and closed polygons, in drawing order, with their distance from
    the centre to the edge (the apothem of a polygon); open paths (the arrow) and text are
    inside the body and left out."""
    centre = SIZE / 2
    shapes = []
    for node in ET.fromstring(svg):
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "circle":
            assert float(node.get("cx")) == centre and float(node.get("cy")) == centre
            radius, reach = float(node.get("r")), float(node.get("r"))
            miter = 1.0
        elif tag == "path" and node.get("d", "").rstrip().upper().endswith("Z"):
            numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", node.get("d"))]
            points = list(zip(numbers[::2], numbers[1::2], strict=True))
            assert len(points) >= 3 and not re.search(r"[a-yA-Y]", node.get("d")[1:]), node.get("d")
            edges = list(zip(points, points[1:] + points[:1], strict=True))
            radius = min(abs((x2 - x1) * (y1 - centre) - (x1 - centre) * (y2 - y1)) / math.dist((x1, y1), (x2, y2))
                         for (x1, y1), (x2, y2) in edges)
            reach = max(math.dist(p, (centre, centre)) for p in points)
            miter = reach / radius  # a stroke reaches this much further at a corner (miter join)
        else:
            continue
        stroke = node.get("stroke", "none")
        shapes.append({
            "radius": radius, "reach": reach, "miter": miter,
            "fill": node.get("fill", "#000"), "fill_opacity": float(node.get("fill-opacity", 1)),
            "stroke": stroke, "stroke_opacity": float(node.get("stroke-opacity", 1)),
            "width": float(node.get("stroke-width", 1)) if stroke != "none" else 0.0,
            "dashed": bool(node.get("stroke-dasharray")),
        })
    return shapes


def _covering(s: dict, distance: float) -> tuple[bool, bool]:
    """Whether the shape's fill, and its stroke, paint the ring at `distance` from the centre."""
    return (s["fill"] != "none" and distance <= s["radius"],
            s["stroke"] != "none" and abs(distance - s["radius"]) <= s["width"] / 2)


def _seen_through(shapes: list[dict], painting: tuple, background: Colour) -> frozenset[Colour]:
    """The colours seen where each shape paints as `painting` says (a dashed stroke shows
    what is under its gaps too)."""
    seen = {background}
    for s, (filled, stroked) in zip(shapes, painting, strict=True):
        if filled:
            seen = {over(s["fill"], s["fill_opacity"], c) for c in seen}
        if stroked:
            painted = {over(s["stroke"], s["stroke_opacity"], c) for c in seen}
            seen = painted | seen if s["dashed"] else painted
    return frozenset(seen)


@functools.cache
def _rings(svg: str, step: float) -> tuple[list[dict], list[tuple[tuple, float]]]:
    """The symbol's shapes, and its rings from the outside in: what paints each one, and its
    width (sampled every `step` px). They do not depend on the background."""
    shapes = _shapes(svg)
    rings: list[tuple[tuple, float]] = []
    for i in range(int(SIZE / 2 / step), -1, -1):
        painting = tuple(_covering(s, i * step) for s in shapes)
        if rings and rings[-1][0] == painting:
            rings[-1] = (painting, rings[-1][1] + step)
        else:
            rings.append((painting, step))
    return shapes, rings


def bands(svg: str, background: Colour, step: float = 0.05) -> list[tuple[frozenset[Colour], float]]:
    """The rings of colour of a symbol on `background`, from the outside in, with their widths."""
    shapes, rings = _rings(svg, step)
    out: list[tuple[frozenset[Colour], float]] = []
    for painting, width in rings:
        seen = _seen_through(shapes, painting, background)
        if out and out[-1][0] == seen:
            out[-1] = (seen, out[-1][1] + width)
        else:
            out.append((seen, width))
    if out and out[0][0] == {background}:
        out.pop(0)
    return out


def edge_contrast(svg: str, background: Colour) -> float:
    """How well the symbol stands out: the best of its two outer rings (each at least
    MIN_BAND_PX wide), a ring counting by its weakest colour (the gaps of a dashed ring,
    where the background itself shows, apart)."""
    rings = [seen - {background} for seen, width in bands(svg, background) if width >= MIN_BAND_PX]
    return max(min(contrast(c, background) for c in ring) for ring in [r for r in rings if r][:2])


def symbols() -> dict[str, str]:
    return {f"{kind} {theme.slug}": str(symbol_svg(kind, theme.couleur)) for kind in KINDS for theme in THEMES}


# Focus rings, as written in webmap.css.

@functools.cache
def css_rules() -> list[tuple[list[str], dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    rules = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = dict((name.strip(), value.strip()) for name, _, value in
                            (d.partition(":") for d in body.split(";") if ":" in d))
        rules.append(([s.strip() for s in selectors.split(",")], declarations))
    return rules


def ring_colours(selector: str) -> list[str]:
    """The colours of the outline and box-shadow that `selector`'s own rule gives (var() resolved)."""
    rules = css_rules()
    variables = {k: v for sel, decl in rules if ":root" in sel for k, v in decl.items() if k.startswith("--")}
    found = [decl for sel, decl in rules if selector in sel]
    assert found, f"no rule for {selector} in webmap.css"
    colours = []
    for decl in found:
        for name in ("outline", "outline-color", "box-shadow"):
            value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)], decl.get(name, ""))
            colours += re.findall(r"#[0-9a-fA-F]{3,6}\b|rgba?\([^)]*\)|\bwhite\b|\bblack\b", value)
    assert colours, f"{selector} has no focus ring colour"
    return colours


MAP_FOCUS_SELECTORS = (".wm-marker:focus-visible", ".leaflet-control a:focus-visible",
                       ".leaflet-control button:focus-visible")


# The figures (also printed by `python tests/test_contrast.py`).

def adjacent_classes() -> list[tuple[float, str, str]]:
    fills = class_fills()
    pairs = {(a, b) for colours in legends_colours() for a, b in zip(colours, colours[1:], strict=False)}
    return sorted((contrast(fills[a], fills[b]), a, b) for a, b in pairs)


def class_outline() -> list[tuple[float, str]]:
    return sorted((contrast(CLASS_OUTLINE, fill), colour) for colour, fill in class_fills().items())


def markers() -> list[tuple[float, str, str]]:
    return sorted((edge_contrast(svg, bg), name, where)
                  for name, svg in symbols().items() for where, bg in backgrounds().items())


def zone_lines() -> list[tuple[float, str, str]]:
    return sorted((contrast(line, bg), f"{name} ({line}, {width} px)", where)
                  for name, _, _, lines, width in zone_layers() for line in lines
                  for where, bg in backgrounds().items())


def zone_fills() -> list[tuple[float, str, str]]:
    return sorted((contrast(over(fill, alpha, base), base), name, colour)
                  for name, fill, alpha, _, _ in zone_layers() if fill
                  for colour, base in [("fond de carte", backdrop()), *class_fills().items()])


def focus_rings() -> list[tuple[float, str, str]]:
    return sorted((max(contrast(c, bg) for c in ring_colours(selector)), selector, where)
                  for selector in MAP_FOCUS_SELECTORS for where, bg in backgrounds().items())


# Tests.

def test_the_contrast_formula_matches_wcag_examples():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#000091", "#ffffff") == pytest.approx(14.95, abs=0.05)  # bleu France
    assert over("#000000", 0.5, WHITE) == (127.5, 127.5, 127.5)


def test_every_class_is_outlined_at_3_to_1_against_every_fill():
    worst, colour = class_outline()[0]
    assert worst >= REQUIRED, f"outline {CLASS_OUTLINE} against class {colour}: {worst:.2f}"


def test_neighbouring_classes_are_as_distinct_as_the_ramp_allows():
    worst, a, b = adjacent_classes()[0]
    assert worst >= ADJACENT_CLASSES_MIN, f"classes {a} and {b}: {worst:.2f}"
    # The zero class and the classes are in one order, the lightest first.
    for colours in legends_colours():
        lum = [luminance(class_fills()[c]) for c in colours]
        assert lum == sorted(lum, reverse=True), colours


def test_markers_stand_out_on_every_fill():
    worst, name, where = markers()[0]
    assert worst >= REQUIRED, f"marker {name} on {where}: {worst:.2f}"


def test_the_theme_colour_stands_out_inside_the_symbol():
    """The coloured body, or the dashes of an approximate marker, against every colour that
    touches them (the halo, the gaps, the white body, the edge): theme colours are kept only
    where they reach 3:1."""
    for name, svg in symbols().items():
        theme = rgb(THEME_BY_SLUG[name.split()[1]].couleur)
        rings = [seen for seen, _ in bands(svg, WHITE)]
        coloured = [i for i, seen in enumerate(rings) if theme in seen]
        assert coloured, name
        for i in coloured:
            touching = set().union(*rings[max(i - 1, 0):i + 2]) - {theme}
            worst = min(contrast(theme, c) for c in touching)
            assert worst >= REQUIRED, f"{name}: {worst:.2f} against {[hexa(c) for c in touching]}"


def test_markers_fit_in_their_box():
    for name, svg in symbols().items():
        for s in _shapes(svg):
            outer = s["reach"] + s["width"] / 2 * s["miter"]
            assert outer <= SIZE / 2, f"{name}: a shape reaches {outer:.2f} px from the centre"


def test_zone_lines_reach_3_to_1_on_every_fill():
    worst, name, where = zone_lines()[0]
    assert worst >= REQUIRED, f"{name} on {where}: {worst:.2f}"


def test_zone_lines_are_at_least_one_pixel_wide():
    for name, _, _, _, width in zone_layers():
        assert width >= 1, name


def test_focus_ring_of_markers_and_map_controls_on_every_fill():
    worst, selector, where = focus_rings()[0]
    assert worst >= REQUIRED, f"{selector} on {where}: {worst:.2f}"


@pytest.mark.browser
def test_the_browser_draws_the_focus_ring_of_the_stylesheet(browser, live_server):
    """What Chromium applies to a focused marker and zoom button (the cascade, Leaflet's and
    any other stylesheet included) is the ring measured above."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(live_server + "/")
        page.wait_for_selector("html[data-ready='1']", timeout=30_000)
        for selector, rule in ((".wm-marker[data-projet]", ".wm-marker:focus-visible"),
                               (".leaflet-control-zoom-in", ".leaflet-control a:focus-visible")):
            page.locator(selector).first.focus()
            page.keyboard.press("Tab")
            page.keyboard.press("Shift+Tab")  # focus by key: :focus-visible
            drawn = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                return [s.outlineStyle, s.outlineColor, s.boxShadow]; }""")
            assert drawn[0] == "solid", (selector, drawn)
            colours = {rgb(c) for c in re.findall(r"rgba?\([^)]*\)", drawn[1] + " " + drawn[2])}
            assert colours == {rgb(c) for c in ring_colours(rule)}, (selector, drawn)
    finally:
        page.close()


def test_focus_ring_of_the_pages():
    (colour,) = ring_colours(":focus-visible")
    for background in ("#ffffff", "#f6f6f6"):  # pages, --fond-doux
        assert contrast(colour, background) >= REQUIRED


def report() -> str:
    lines = []

    def line(label: str, rows: list, describe) -> None:
        lines.append(f"{label:<48} min {rows[0][0]:5.2f}  ({describe(rows[0])})")

    line(f"classes voisines ({CLASS_FILL_OPACITY} sur {hexa(backdrop())})", adjacent_classes(),
         lambda r: f"{r[1]} / {r[2]}")
    line(f"contour des classes {CLASS_OUTLINE} / remplissages", class_outline(), lambda r: r[1])
    line("marqueurs / fonds", markers(), lambda r: f"{r[1]} sur {r[2]}")
    line("anneau de focus (marqueurs, contrôles) / fonds", focus_rings(), lambda r: f"{r[1]} sur {r[2]}")
    line("traits des zones / fonds", zone_lines(), lambda r: f"{r[1]} sur {r[2]}")
    line("remplissage des zones / fond dessous", zone_fills(), lambda r: f"{r[1]} sur {r[2]}")
    fills = class_fills()
    lines.append("remplissages des classes : " + ", ".join(f"{c}->{hexa(f)}" for c, f in fills.items()))
    lines.append("pas voisins : " + ", ".join(f"{r[0]:.2f}" for r in adjacent_classes()))
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
