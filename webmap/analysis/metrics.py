"""Choropleth metrics: projects serving each department, EPCI or commune (pure functions).

A project *serves* a territory when it serves at least one of its communes. Projects that
serve the whole region are left out of the counts (they would add the same number
everywhere) and reported beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from webmap.analysis.coverage import commune_coverage, summarize
from webmap.projects.store import Project, ThemeSelection, select_themes
from webmap.reference.territories import Territories


@dataclass(frozen=True)
class Level:
    """A level of the choropleths and coverage tables. Adding one: a record here, with the
    reference layer it reads and the column of the commune table that names its code."""

    slug: str
    label: str
    layer: str  # reference layer (webmap.reference.files.LAYERS)
    outline_px: float  # width of its borders on the map


@dataclass(frozen=True)
class Metric:
    """A choropleth metric: a column of `compute_metrics`' table, how to show it."""

    slug: str
    label: str
    unit: str
    decimals: int
    no_data: str  # said where a territory has no value


LEVEL_RECORDS: tuple[Level, ...] = (
    Level("departement", "département", "departements", 1.5),
    Level("epci", "intercommunalité (EPCI)", "epci", 1.0),
    Level("commune", "commune", "communes", 0.3),
)
METRIC_RECORDS: tuple[Metric, ...] = (
    Metric("projets", "Nombre de projets", "projet(s)", 0, "donnée manquante"),
    Metric("projets_100k", "Projets pour 100 000 habitants", "pour 100 000 hab.", 1, "donnée manquante"),
    Metric("financement", "Financement publié (€)", "€", 0, "montant non publié"),
    Metric("distance", "Distance au projet local le plus proche (km)", "km", 1, "aucun projet local"),
)
LEVEL_BY_SLUG = {level.slug: level for level in LEVEL_RECORDS}
METRIC_BY_SLUG = {metric.slug: metric for metric in METRIC_RECORDS}
LEVELS = tuple(LEVEL_BY_SLUG)
METRICS = tuple(METRIC_BY_SLUG)
PER_INHABITANTS = 100_000


def served_communes(projects: list[Project], territories: Territories) -> pd.DataFrame:
    """One row per (project, commune served): columns id, theme, commune."""
    rows = [
        (p.id, p.theme, commune)
        for p in projects
        for typed in p.territoires
        for commune in territories.communes_of(typed)
    ]
    frame = pd.DataFrame(rows, columns=["id", "theme", "commune"])
    return frame.drop_duplicates(["id", "commune"]).reset_index(drop=True)


def level_layer(territories: Territories, level: str):
    """The territories of a level (communes: the commune table, with their parents' codes)."""
    return territories.communes if level == "commune" else territories.layers[LEVEL_BY_SLUG[level].layer]


def level_table(territories: Territories, level: str) -> pd.DataFrame:
    """code, nom, population of every territory of a level (index: code)."""
    table = level_layer(territories, level)[["code", "nom", "population"]]
    return pd.DataFrame(table).set_index("code").astype({"population": "int64"})


def commune_to_level(territories: Territories, level: str) -> pd.Series:
    communes = territories.communes.set_index("code")
    return communes.index.to_series() if level == "commune" else communes[level]


@dataclass(frozen=True)
class MetricResult:
    table: pd.DataFrame  # index code: nom, population, projets, projets_100k, financement, distance
    regionwide: int  # projects serving the whole region, left out of the counts
    amounts_published: int  # projects with a published amount among those counted


def compute_metrics(projects: list[Project], territories: Territories, level: str,
                    theme: ThemeSelection = None,
                    coverage: pd.DataFrame | None = None) -> MetricResult:
    """Metrics of every territory of a level; `coverage` is the commune coverage table of the
    same projects and theme when the caller already has it (it is the costly part)."""
    selected = select_themes(projects, theme)
    local = [p for p in selected if not p.regionwide]
    served = served_communes(local, territories)
    served["territory"] = served["commune"].map(commune_to_level(territories, level))
    pairs = served.drop_duplicates(["id", "territory"])
    table = level_table(territories, level)
    counts = pairs.groupby("territory")["id"].nunique()
    table["projets"] = counts.reindex(table.index).fillna(0).astype("int64")
    table["projets_100k"] = np.where(
        table["population"] > 0, table["projets"] * PER_INHABITANTS / table["population"], 0.0)
    amounts = {p.id: float(p.montant_eur) for p in local if p.montant_eur is not None}
    if amounts:
        funded = pairs[pairs["id"].isin(amounts)].assign(montant=lambda d: d["id"].map(amounts))
        table["financement"] = funded.groupby("territory")["montant"].sum().reindex(table.index)
    else:
        table["financement"] = np.nan
    if coverage is None:
        coverage = commune_coverage(projects, territories, theme)
    distances = summarize(coverage, level, territories).set_index("code")["distance_moyenne_km"]
    table["distance"] = distances.reindex(table.index)
    return MetricResult(table, sum(p.regionwide for p in selected), len(amounts))
