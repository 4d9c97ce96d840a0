"""The stylesheet of the data's colours (theme swatches, choropleth classes), written from
the Python vocabulary so that the pages, the map and the legends cannot disagree. Colours
are classes, never inline style attributes: the CSP needs no 'unsafe-inline'."""

from __future__ import annotations

from webmap.analysis.classify import NO_DATA_COLOR, PALETTE, ZERO_COLOR, css_class_for
from webmap.projects.schema import THEMES


def swatch_class(theme_slug: str) -> str:
    return f"wm-swatch-{theme_slug}"


def palette_css() -> str:
    rules = [f".{swatch_class(t.slug)} {{ background: {t.couleur}; }}" for t in THEMES]
    rules += [f".{css_class_for(color)} {{ background: {color}; }}"
              for color in (ZERO_COLOR, NO_DATA_COLOR, *PALETTE)]
    return "/* Written by webmap/mapview/palette.py from the themes and the class palette. */\n" + \
        "\n".join(rules) + "\n"
