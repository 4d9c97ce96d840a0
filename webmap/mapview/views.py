"""Every view of the map as data: for a level, a metric and a theme selection, the values
of the choropleth (in the order of the level's polygon files), its classes and its legend.

The server renders the first view of a page from these; the browser switches views with
the same payloads, fetched from `/donnees/vues/…` (or the static export's copies), so a
switch never reloads the page and shows exactly the figures the server would.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math

import pandas as pd

from webmap.analysis.classify import Legend, classify, format_value
from webmap.analysis.metrics import LEVEL_BY_SLUG, LEVELS, METRIC_BY_SLUG, METRICS
from webmap.mapview.dataset import Dataset
from webmap.mapview.view import ALL_THEMES, MapView
from webmap.projects import press_kit
from webmap.projects.schema import THEMES


def theme_keys() -> list[str]:
    """Every theme selection a URL can name, as `MapView.theme` writes it: all themes, then
    each combination of some of them in the vocabulary's order."""
    slugs = [t.slug for t in THEMES]
    keys = [ALL_THEMES]
    for size in range(1, len(slugs)):
        keys += [",".join(combo) for combo in itertools.combinations(slugs, size)]
    return keys


def all_views() -> list[MapView]:
    """The views whose figures differ (the department and the project only move the map)."""
    return [MapView(niveau=level, indicateur=metric, theme=theme)
            for level in LEVELS for metric in METRICS for theme in theme_keys()]


def as_sent(value: float, decimals: int = 3) -> float | int:
    """A value or a class bound as the browser gets it: 3 decimals, more where needed to keep
    a value on its side of a bound (class_bound_decimals)."""
    value = round(float(value), decimals)
    return int(value) if value.is_integer() else value


def class_bound_decimals(uppers: list[float], values) -> list[int]:
    """For each class's upper bound, the decimals that keep it apart from the lowest value of
    the next class: 3, or more when both round alike (11.124817 and 11.124823 are both
    11.125 at 3 decimals: the browser would put the second in the lower class)."""
    finite = sorted(float(v) for v in values if v is not None and not math.isnan(v))
    out = []
    for upper in uppers:
        above = finite[bisect.bisect_right(finite, upper + 1e-9):][:1]
        decimals = 3
        while above and decimals < 12 and round(upper, decimals) >= round(above[0], decimals):
            decimals += 1
        out.append(decimals)
    return out


def value_as_sent(value: float, uppers: list[float], decimals: list[int]) -> float | int:
    """A value with 3 decimals, or with a bound's decimals when 3 would move it across that
    bound (classes compare `value <= upper`, in the browser as in classify)."""
    sent = as_sent(value)
    for upper, places in zip(uppers, decimals, strict=True):
        if places > 3 and (sent <= as_sent(upper, places) + 1e-9) != (value <= upper + 1e-9):
            return as_sent(value, places)
    return sent


def choropleth_as_sent(data: Dataset, level: str, legend: Legend, values: dict) -> tuple[list, list[dict]]:
    """One value per polygon of the level, in the order of its map files (None: no data), and
    the classes' upper bounds and colours, as the browser gets them: each value on its side of
    each bound (class_bound_decimals)."""
    uppers = [c.upper for c in legend.classes]
    decimals = class_bound_decimals(uppers, values.values())
    sent: list[float | int | None] = []
    for code in data.level_order(level):
        value = values.get(code)
        sent.append(None if value is None or math.isnan(value) else value_as_sent(value, uppers, decimals))
    classes = [{"upper": as_sent(c.upper, places), "color": c.color}
               for c, places in zip(legend.classes, decimals, strict=True)]
    return sent, classes


def metric_legend(data: Dataset, view: MapView) -> tuple[Legend, dict, str]:
    """The legend of a view, the choropleth's values by code (as computed), and the note on
    region-wide projects (not counted)."""
    result = data.metrics(view.niveau, view.theme_filter)
    metric = METRIC_BY_SLUG[view.indicateur]
    title = f"{metric.label} par {LEVEL_BY_SLUG[view.niveau].label}"
    values = result.table[view.indicateur]
    legend, _ = classify(values, title, metric.unit, metric.decimals)
    note = (f"{result.regionwide} projet(s) couvrant toute la région ne sont pas comptés "
            "ici ; ils figurent dans la liste des projets.") if result.regionwide else ""
    if view.indicateur == "financement" and legend.no_data:
        legend.notes.append(
            "Montants non publiés : le dossier de presse ne donne que le total "
            f"({press_kit.TOTAL_FUNDING_LABEL} pour {press_kit.PROJECTS} projets), pas le montant "
            "de chaque projet. Aucune valeur n'est donc affichée.")
    if view.indicateur == "distance":
        scope = "de ce thème" if view.theme_filter else "tous thèmes confondus"
        legend.notes.append(
            f"Distance en km (Lambert-93) entre la mairie et le site du projet local {scope} le "
            "plus proche ; moyenne pondérée par la population pour un EPCI ou un département. "
            "Règles : page « Couverture ».")
    elif note:
        legend.notes.append(note)
    return legend, values.to_dict(), note


SUMMARY_ALL_UP_TO = 10  # a level with more territories is summed up by its highest values
SUMMARY_HIGHEST = 5


def view_summary(data: Dataset, view: MapView, title: str) -> str:
    """The view as a sentence (RGAA: the map's information as text): every territory's value
    for the departments, the highest ones and how many are at 0 for finer levels, and the
    projects that serve the whole region."""
    result = data.metrics(view.niveau, view.theme_filter)
    metric = METRIC_BY_SLUG[view.indicateur]
    values = result.table[view.indicateur].dropna()
    unit = f" {metric.unit}" if metric.unit else ""

    def item(name: str, value: float) -> str:
        return f"{name} {format_value(float(value), metric.decimals)}{unit}"

    if values.empty:
        text = f"{title} : aucune valeur ({metric.no_data})."
    else:
        ranked = pd.DataFrame({"value": values, "nom": result.table.loc[values.index, "nom"]}).sort_values(
            ["value", "nom"], ascending=[False, True], kind="stable")
        total = len(result.table)
        if total <= SUMMARY_ALL_UP_TO:
            text = f"{title} : " + ", ".join(item(r.nom, r.value) for r in ranked.itertuples()) + "."
        else:
            zeros = int((values == 0).sum())
            text = (f"{title} : les {SUMMARY_HIGHEST} valeurs les plus élevées sont "
                    + ", ".join(item(r.nom, r.value) for r in ranked.head(SUMMARY_HIGHEST).itertuples())
                    + (f" ; {format_value(zeros, 0)} territoires sur {format_value(total, 0)} sont à 0"
                       if zeros else "") + ".")
    if result.regionwide:
        text += f" {result.regionwide} projet(s) couvrent toute la région et ne sont pas comptés ici."
    return text


def view_payload(data: Dataset, view: MapView) -> dict:
    """What the browser needs to draw a view: the legend (as the page prints it) and the
    choropleth (values, classes, how a value reads). Computed once per dataset and view
    (level, metric, theme: nothing else of the view changes it); not to be modified."""
    key = ("view-payload", view.niveau, view.indicateur, view.theme)
    return data.memo(key, lambda: _view_payload(data, view))


def _view_payload(data: Dataset, view: MapView) -> dict:
    legend, raw, _ = metric_legend(data, view)
    values, classes = choropleth_as_sent(data, view.niveau, legend, raw)
    metric = METRIC_BY_SLUG[view.indicateur]
    return {
        "niveau": view.niveau, "indicateur": view.indicateur, "theme": view.theme,
        "summary": view_summary(data, view, legend.title),
        "legend": {
            "title": legend.title, "noData": legend.no_data, "notes": legend.notes,
            "classes": [{"label": c.label, "css": c.css_class} for c in legend.classes],
        },
        "choropleth": {
            "values": values,
            "classes": classes,
            "unit": metric.unit, "decimals": metric.decimals, "noDataText": metric.no_data,
        },
    }


def view_json(data: Dataset, view: MapView) -> str:
    """The payload as served and exported, computed once per dataset and view."""
    key = ("view", view.niveau, view.indicateur, view.theme)
    return data.memo(key, lambda: json.dumps(view_payload(data, view), ensure_ascii=False,
                                             separators=(",", ":")))
