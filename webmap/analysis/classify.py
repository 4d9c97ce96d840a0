"""Class breaks (Fisher-Jenks natural breaks) and the legend that goes with them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from webmap.analysis.french import format_number

# One colour per class (purples, along ColorBrewer's "Purples": sequential, colour-blind
# safe, apart from the theme markers), the lightest first. Neighbouring classes of a
# sequential ramp cannot differ by 3:1 (WCAG 1.4.11), so every polygon is outlined in
# CLASS_OUTLINE, which reaches 3:1 against every class; and the steps are even: drawn at
# CLASS_FILL_OPACITY over the map's white backdrop, ZERO_COLOR and the five classes are five
# equal steps of luminance contrast apart (1.41:1 each), down to a darkest class on which a
# near-black line still reaches 3:1; the outline is black for a margin (3.6:1) where the
# basemap under the fill is darker than white (tests/test_contrast.py checks all of it,
# `python tests/test_contrast.py` prints the figures).
PALETTE = ("#bbbbdb", "#8986be", "#6a52a4", "#51218c", "#2c0052")
ZERO_COLOR = "#f7f7f7"
NO_DATA_COLOR = "#d9d9d9"
# How the map draws the classes (static/webmap.js reads them from the page's data island):
# fills at this opacity (the basemap shows through), every polygon outlined in this colour.
CLASS_FILL_OPACITY = 0.65
CLASS_OUTLINE = "#000000"


@dataclass(frozen=True)
class LegendClass:
    lower: float
    upper: float
    color: str
    label: str

    @property
    def css_class(self) -> str:
        """The stylesheet class painting this colour (pages carry no inline style: CSP)."""
        return css_class_for(self.color)


def css_class_for(color: str) -> str:
    if color == ZERO_COLOR:
        return "wm-fill-zero"
    if color == NO_DATA_COLOR:
        return "wm-fill-nodata"
    return f"wm-fill-{PALETTE.index(color)}"


@dataclass
class Legend:
    title: str
    unit: str
    classes: list[LegendClass] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    no_data: bool = False  # nothing to show: the notes say why


SAMPLE_SIZE = 300


def fisher_jenks(values: np.ndarray, k: int) -> list[float]:
    """Upper bounds of the k classes of sorted-contiguous values with the least total
    within-class sum of squares: Fisher's exact dynamic programme (1958), in float64 on
    centred values. O(k·n²) time and O(n²) memory: callers sample large inputs.

    Our own 25 lines rather than mapclassify (which pulled scipy, scikit-learn and networkx,
    222 MiB, for this one call, summed in float32 and took 200 ms per call without numba):
    measures in docs/dependances.md."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    if not 1 <= k <= n:
        raise ValueError(f"{k} classes for {n} values")
    centred = x - x.mean()
    s1 = np.concatenate(([0.0], np.cumsum(centred)))
    s2 = np.concatenate(([0.0], np.cumsum(centred * centred)))
    start = np.arange(n + 1)[:, None]  # a class holds x[start:end]
    end = np.arange(n + 1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = s2[end] - s2[start] - (s1[end] - s1[start]) ** 2 / (end - start)
    cost[start >= end] = np.inf
    best = cost[0].copy()  # best[j]: least cost of x[:j] in the classes placed so far
    starts_of_last = []
    for _ in range(1, k):
        total = best[:, None] + cost  # x[:i] in the classes so far, then x[i:j] as one more
        argmin = np.argmin(total, axis=0)  # the first minimum: the earliest start
        best = total[argmin, np.arange(n + 1)]
        starts_of_last.append(argmin)
    ends = [n]
    for argmin in reversed(starts_of_last):
        ends.append(int(argmin[ends[-1]]))
    return [float(x[e - 1]) for e in reversed(ends)]


def fisher_jenks_bins(values: np.ndarray, k: int) -> list[float]:
    """Fisher-Jenks upper bounds; on many values, computed on evenly spaced quantiles (a
    deterministic sample keeps the breaks stable from one run to the next)."""
    sample = values
    if len(values) > SAMPLE_SIZE:
        sample = np.quantile(values, np.linspace(0, 1, SAMPLE_SIZE))
    # The sample may hold fewer distinct values than the data (a rare value between two
    # quantiles): never ask for more classes than it has.
    k = min(k, len(np.unique(sample)))
    if k < 2:
        return [float(values.max())]
    bins = fisher_jenks(sample, k)
    bins[-1] = float(values.max())
    return sorted(set(bins))


def classify(values: pd.Series, title: str, unit: str, decimals: int = 0,
             k: int = 5) -> tuple[Legend, pd.Series]:
    """Colours per value: zero apart, Fisher-Jenks breaks on the positive values."""
    legend = Legend(title, unit)
    colors = pd.Series(NO_DATA_COLOR, index=values.index, dtype=object)
    known = values.dropna()
    if known.empty:
        legend.no_data = True
        return legend, colors
    zero = known[known == 0]
    positive = known[known > 0]
    if not zero.empty:
        colors[zero.index] = ZERO_COLOR
        legend.classes.append(LegendClass(0, 0, ZERO_COLOR, f"0 {unit}".strip()))
    if not positive.empty:
        distinct = int(positive.nunique())
        bins_count = min(k, len(PALETTE), distinct)
        if bins_count >= 2:
            bins = fisher_jenks_bins(positive.to_numpy(dtype=float), bins_count)
            yb = np.searchsorted(np.asarray(bins), positive.to_numpy(dtype=float), side="left")
        else:
            bins = [float(positive.max())]
            yb = np.zeros(len(positive), dtype=int)
        palette = PALETTE[-len(bins):] if len(bins) < len(PALETTE) else PALETTE
        colors[positive.index] = [palette[i] for i in yb]
        lower = float(positive.min())
        for i, upper in enumerate(bins):
            low_text, up_text = format_number(lower, decimals), format_number(upper, decimals)
            label = low_text if low_text == up_text else f"{low_text} à {up_text}"
            legend.classes.append(LegendClass(lower, float(upper), palette[i], f"{label} {unit}".strip()))
            members = positive[positive > upper]
            lower = float(members.min()) if not members.empty else upper
    return legend, colors


def format_value(value: float | None, decimals: int) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "non publié"
    return format_number(float(value), decimals)
