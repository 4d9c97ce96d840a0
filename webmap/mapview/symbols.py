"""Marker symbols, as inline SVG: one source for the map's markers (sent to the browser in
the page's data island) and the legends (rendered by the templates). Colours come from the
code (themes, the legend's grey), never from the data."""

from __future__ import annotations

import re

from markupsafe import Markup

SIZE = 26  # viewBox and marker size in px
ARROW = "M8 13h9m-3.5-3.5L17 13l-3.5 3.5"
LEGEND_GREY = "#3a3a3a"

# Every symbol has a dark edge around a white halo: on any fill of the map one of the two
# reaches 3:1 (WCAG 1.4.11), and the theme colour reaches 3:1 against the white it touches
# (tests/test_contrast.py).
EDGE = "#161616"
HALO = "#fff"
_CIRCLE = '<circle cx="13" cy="13" r="{r}" fill="{fill}"/>'
_DIAMOND = '<path d="M13 {a} {b} 13 13 {b} {a} 13Z" fill="{fill}"/>'


def _disc(r: float, fill: str) -> str:
    return _CIRCLE.format(r=r, fill=fill)


def _diamond(half_diagonal: float, fill: str) -> str:
    return _DIAMOND.format(a=13 - half_diagonal, b=13 + half_diagonal, fill=fill)


# Kind -> SVG body for a colour ({c}): full for a named commune, white with a dashed line when
# only the served area is known, a diamond with an arrow for the mobile « aller vers » units.
_SHAPES = {
    "precise": _disc(10.5, EDGE) + _disc(9.25, HALO) + _disc(6.75, "{c}"),
    "imprecise": (_disc(11.25, EDGE) + _disc(10, HALO)
                  + '<circle cx="13" cy="13" r="7.75" fill="none" stroke="{c}" stroke-width="2.5" '
                  'stroke-dasharray="4 2.5"/>'),
    "aller-vers": (_diamond(12.75, EDGE) + _diamond(11, HALO) + _diamond(9.25, "{c}")
                   + f'<path d="{ARROW}" stroke="#fff" stroke-width="2" fill="none"/>'),
    "aller-vers-imprecise": (_diamond(13, EDGE) + _diamond(11.25, HALO)
                             + '<path d="M13 4.58 21.42 13 13 21.42 4.58 13Z" fill="none" stroke="{c}" '
                             'stroke-width="2" stroke-dasharray="4 2.5"/>'
                             f'<path d="{ARROW}" stroke="{{c}}" stroke-width="2" fill="none"/>'),
}
KINDS = tuple(_SHAPES)


FILLED = ("precise", "aller-vers")  # a coloured body; the others are white with a coloured line


def _letter(kind: str, color: str, letter: str) -> str:
    """The theme's letter in the middle of the symbol: white on a coloured body, in the
    colour on a white one (it replaces the « aller vers » arrow, which the diamond says)."""
    if not re.fullmatch(r"[A-Z]", letter):
        raise ValueError(f"not a theme letter of ours: {letter!r}")
    ink = "#fff" if kind in FILLED else color
    return (f'<text x="13" y="13.5" text-anchor="middle" dominant-baseline="central" '
            f'font-family="Arial, Helvetica, sans-serif" font-size="10" font-weight="700" '
            f'fill="{ink}">{letter}</text>')


def symbol_svg(kind: str, color: str, size: int = SIZE, css_class: str = "", letter: str = "") -> Markup:
    """The symbol of a marker kind in a colour, decorative (its text is beside it); with
    `letter`, the theme's letter is drawn in it."""
    if not color.startswith("#") or not all(ch in "0123456789abcdefABCDEF" for ch in color[1:]):
        raise ValueError(f"not a colour of ours: {color!r}")
    klass = f' class="{css_class}"' if css_class else ""
    body = _SHAPES[kind].format(c=color)
    if letter:
        body = re.sub(rf'<path d="{re.escape(ARROW)}"[^>]*/>', "", body) + _letter(kind, color, letter)
    return Markup(
        f'<svg{klass} width="{size}" height="{size}" '
        f'viewBox="0 0 {SIZE} {SIZE}" aria-hidden="true" focusable="false">'
        + body + "</svg>")


def legend_symbol(kind: str, color: str = LEGEND_GREY, letter: str = "") -> Markup:
    return symbol_svg(kind, color, 22, "wm-symbol", letter)
