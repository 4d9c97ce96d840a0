"""The sheet of a map image, laid out in pixels with Matplotlib: a title, the map's box,
a legend panel (right of the map, or under it below 640 px) and a footer.

Matplotlib is imported on the first image (`_matplotlib`), with the Agg backend, never
through pyplot: each image is its own `Figure`, and a lock draws one image at a time per
process (Matplotlib's artists and settings are not thread-safe). Texts are drawn as given
(no mathtext: `parse_math=False`) and stay text in SVG (`svg.fonttype: none`, escaped by
Matplotlib's XML writer); characters that XML cannot hold become U+FFFD (`plain`).
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from webmap.analysis.classify import CLASS_OUTLINE

DESIGN_WIDTH = 1200  # sizes below are for this width, scaled for others
FONT = "DejaVu Sans"  # shipped with Matplotlib: the same PNG bytes on every machine
DPI = 72  # one pixel is one point: font sizes and line widths read as pixels
INK, MUTED = "#161616", "#3a3a3a"
MARKER_PX = 16
_DRAW = threading.Lock()

Extent = tuple[tuple[float, float, float, float], float]  # (west, south, east, north), height/width


@dataclass(frozen=True)
class Line:
    """A line of the legend panel: text, with a colour swatch or a marker symbol before it."""

    text: str
    bold: bool = False
    small: bool = False
    swatch: str | None = None
    edge: str = CLASS_OUTLINE  # a swatch is outlined as the polygons it stands for
    symbol: tuple[str, str] | None = None  # (marker kind, colour): webmap.mapview.symbols' kinds
    gap: bool = False  # space above: starts a section


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plain(text: str) -> str:
    """Text as drawn: characters that XML 1.0 cannot hold (C0 controls) become U+FFFD; line
    breaks and tabs become spaces. Everything else is kept verbatim."""
    return _NOT_XML.sub("\ufffd", text.replace("\r", " ").replace("\n", " ").replace("\t", " "))


def marker_style(kind: str, color: str, scale: float) -> dict:
    """Scatter options of a marker kind (webmap.mapview.symbols' kinds, drawn alike: a disc,
    a dashed hollow circle when the place is approximate, a diamond for « aller vers »)."""
    filled = kind in ("precise", "aller-vers")
    return {"marker": "D" if kind.startswith("aller-vers") else "o",
            "s": (MARKER_PX * scale * (0.85 if kind.startswith("aller-vers") else 1)) ** 2,
            "facecolors": color if filled else "#ffffff", "edgecolors": "#ffffff" if filled else color,
            "linewidths": 1.5 * scale if filled else 2 * scale,
            "linestyles": "solid" if filled else (0, (2, 1.2))}


def fill_polygons(ax, geometries, colors, edgecolor: str, linewidth: float) -> None:
    """Polygons and multipolygons filled in `colors` (one each) and outlined, as one
    collection of paths built from shapely's coordinate arrays: what GeoDataFrame.plot draws,
    without a Matplotlib patch per polygon (3,782 communes: about 0.45 s less per image)."""
    import numpy as np
    import shapely
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path

    geometries = np.asarray(geometries, dtype=object)
    polygons, owner = shapely.get_parts(geometries, return_index=True)
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    codes[np.r_[0, np.flatnonzero(np.diff(ring_of)) + 1][: len(coords)]] = Path.MOVETO  # each ring's start
    # The points in geometry order: split where the next geometry's points begin.
    starts = np.searchsorted(owner[ring_polygon[ring_of]], np.arange(1, len(geometries)))
    paths = [Path(v, c) for v, c in zip(np.split(coords, starts), np.split(codes, starts), strict=True)]
    ax.add_collection(PathCollection(paths, facecolors=colors, edgecolors=edgecolor, linewidths=linewidth))


def _matplotlib():
    """Matplotlib, imported on the first image, with the Agg backend and our SVG settings
    (text stays text; ids derived from a fixed salt: the same image gives the same bytes)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = "webmap"
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    return Figure, FigureCanvasAgg, RendererAgg, FontProperties


def render(fmt: str, width: int, title: str, panel: list[Line], frame: Extent,
           draw_map: Callable, footer: list[str]) -> bytes:
    """The image's bytes; `draw_map(ax, box, scale)` draws the map in its box (Lambert-93
    coordinates), `scale` being the width's ratio to DESIGN_WIDTH."""
    with _DRAW:
        return _compose(fmt, width, title, panel, frame, draw_map, footer)


def _compose(fmt, width, title, panel, frame, draw_map, footer) -> bytes:
    """Lay out title, map, legend panel (right of the map, or under it below 640 px) and
    footer in pixels; the map keeps Lambert-93's true shape."""
    Figure, FigureCanvasAgg, RendererAgg, FontProperties = _matplotlib()
    scale = max(width / DESIGN_WIDTH, 0.5)
    sizes = {"title": max(22 * scale, 13), "text": max(14 * scale, 10), "small": max(12 * scale, 9)}
    fonts = {name: FontProperties(family=FONT, size=size) for name, size in sizes.items()}
    fonts["bold"] = FontProperties(family=FONT, size=sizes["text"], weight="bold")
    fonts["title"].set_weight("bold")
    wrap = _Wrapper(RendererAgg(10, 10, DPI))

    margin = round(16 * scale)
    wide = width >= 640
    panel_w = max(round(width * 0.3), 220) if wide else width - 2 * margin
    map_w = width - panel_w - 3 * margin if wide else width - 2 * margin
    gutter = sizes["text"] * 1.6  # room for a swatch or a symbol before a panel line
    rows, y = [], 0.0  # (top, text, font, the Line on its first row, indent)
    for line in panel:
        font = fonts["bold" if line.bold else "small" if line.small else "text"]
        indent = gutter if (line.swatch or line.symbol) else 0
        y += sizes["text"] * 0.6 if line.gap and rows else 0
        for i, piece in enumerate(wrap(line.text, font, panel_w - indent)):
            rows.append((y, piece, font, line if i == 0 else None, indent))
            y += font.get_size() * 1.35
    panel_h = y
    heads = wrap(title, fonts["title"], width - 2 * margin)
    feet = [piece for part in footer for piece in wrap(part, fonts["small"], width - 2 * margin)]
    title_h, foot_h = len(heads) * sizes["title"] * 1.3, len(feet) * sizes["small"] * 1.35

    box, ratio = frame
    map_h = round(map_w * ratio)
    body_h = max(map_h, panel_h) if wide else map_h + (margin + panel_h if panel else 0)
    height = math.ceil(margin + title_h + margin * 0.75 + body_h + margin + foot_h + margin)

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="#ffffff")
    FigureCanvasAgg(fig)
    top = margin + title_h + margin * 0.75
    ax = fig.add_axes((margin / width, 1 - (top + map_h) / height, map_w / width, map_h / height))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#cecece")
    draw_map(ax, box, scale)
    ax.set_xlabel("")  # GeoPandas names the CRS's axes
    ax.set_ylabel("")
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal", adjustable="box")

    # Everything else on a transparent sheet over the figure, in pixels from the top left.
    sheet = fig.add_axes((0, 0, 1, 1))
    sheet.set_xlim(0, width)
    sheet.set_ylim(height, 0)
    sheet.set_axis_off()

    def text(x, y, s, font, color=INK):
        sheet.text(x, y, s, fontproperties=font, va="top", ha="left", color=color, parse_math=False)

    for i, piece in enumerate(heads):
        text(margin, margin + i * sizes["title"] * 1.3, piece, fonts["title"])
    px, py = (2 * margin + map_w, top) if wide else (margin, top + map_h + margin)
    for offset, piece, font, line, indent in rows:
        text(px + indent, py + offset, piece, font, MUTED if font is fonts["small"] else INK)
        if line is None:
            continue
        mid, size = py + offset + font.get_size() * 0.6, sizes["text"] * 0.95
        if line.swatch:
            sheet.add_patch(_rectangle((px, mid - size / 2), size, size, line.swatch, line.edge))
        if line.symbol:
            kind, color = line.symbol
            sheet.scatter([px + size / 2], [mid], **marker_style(kind, color, scale * 0.8))
    for i, piece in enumerate(feet):
        text(margin, height - margin - foot_h + i * sizes["small"] * 1.35, piece, fonts["small"], MUTED)
    return _save(fig, fmt, width, height, title)


def extent(bounds, min_span: float) -> Extent:
    """The map's extent around `bounds` (Lambert-93, padded, at least `min_span` metres
    across) and its height/width ratio, kept between 0.6 and 1.4: the extent widens to it,
    the map is never stretched."""
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    dx, dy = max(maxx - minx, min_span) * 1.08, max(maxy - miny, min_span) * 1.08
    ratio = min(max(dy / dx, 0.6), 1.4)
    if dy / dx < ratio:
        dy = dx * ratio
    else:
        dx = dy / ratio
    return (cx - dx / 2, cy - dy / 2, cx + dx / 2, cy + dy / 2), ratio


class _Wrapper:
    """Greedy line breaking at spaces (a word longer than the line is cut; hyphens never
    break: « Château-Thierry » stays whole). Widths are the sums of each character's width
    in the font, measured once per image (kerning ignored: 3 % kept in reserve)."""

    def __init__(self, renderer):
        self.renderer = renderer
        self.widths: dict[tuple[str, float, str], float] = {}

    def width(self, text: str, font) -> float:
        total = 0.0
        for char in text:
            key = (char, font.get_size(), font.get_weight())
            if key not in self.widths:
                self.widths[key] = self.renderer.get_text_width_height_descent(char, font, False)[0]
            total += self.widths[key]
        return total * 1.03

    def __call__(self, text: str, font, room: float) -> list[str]:
        lines, current = [], ""
        for word in plain(text).split(" "):
            candidate = f"{current} {word}" if current else word
            if current and self.width(candidate, font) > room:
                lines.append(current)
                candidate = word
            while len(candidate) > 1 and self.width(candidate, font) > room:
                cut = len(candidate) - 1
                while cut > 1 and self.width(candidate[:cut], font) > room:
                    cut -= 1
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            current = candidate
        return lines + [current] if current else lines


def _rectangle(xy, w, h, fill, edge):
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, facecolor=fill, edgecolor=edge, linewidth=0.8)


def _save(fig, fmt: str, width: int, height: int, title: str) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
        return out.getvalue()
    fig.savefig(out, format="svg", metadata={"Date": None, "Title": plain(title)})
    # Matplotlib sizes an SVG in points: the document says pixels, its viewBox is unchanged.
    svg = re.sub(r'<svg ([^>]*?)width="[\d.]+pt" height="[\d.]+pt"',
                 lambda m: f'<svg {m.group(1)}width="{width}" height="{height}"',
                 out.getvalue().decode("utf-8"), count=1)
    # Path coordinates to 0.1 px (Matplotlib writes six decimals): half the bytes. Only inside
    # `<path d="…">`, which no text can contain (its "<" is escaped).
    svg = _PATH.sub(lambda m: m.group(1) + _DECIMALS.sub(r"\1", m.group(2)) + '"', svg)
    return svg.encode("utf-8")


_PATH = re.compile(r'(<path d=")([^"]*)"')
_DECIMALS = re.compile(r"(\.\d)\d+")
