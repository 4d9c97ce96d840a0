"""What serves one place (a commune, an intercommunality or a department): the projects whose
territory reaches it, by commitment and theme; the « aller vers » units whose served area
includes it; the nearest local project of each theme; its population and coverage.

Rules (those of the coverage, docs/couverture.md): a project serves a place when it serves
at least one of its communes; distances are between town-hall points in Lambert-93 (km),
from the nearest of the place's communes to the nearest site of a local project (0 when a
local project of the theme serves one of its communes)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from webmap.analysis.coverage import COMMITMENTS, commune_points, project_sites
from webmap.projects.schema import THEMES
from webmap.projects.store import Project
from webmap.reference.territories import Territories

KINDS = ("commune", "epci", "departement")  # the places a territory page exists for


@dataclass(frozen=True)
class Nearest:
    theme: str
    project_id: str | None  # None: no local project of the theme in the region
    km: float | None


@dataclass(frozen=True)
class ThemeCoverageHere:
    theme: str
    communes_uncovered: int
    population_uncovered: int
    share_uncovered: float  # of the place's population


@dataclass(frozen=True)
class TerritorySummary:
    typed: str
    kind: str
    code: str
    name: str
    population: int
    communes: int
    serving: dict[str, dict[str, list[str]]]  # commitment -> theme -> project ids (sorted)
    aller_vers: list[str]
    nearest: list[Nearest]
    coverage: list[ThemeCoverageHere]


@dataclass(frozen=True)
class Context:
    """What every place's summary shares, computed once per dataset."""

    projects: list[Project]  # sorted by id
    served: dict[str, set[str]]  # project id -> communes it serves
    index: dict[str, int]  # commune code -> its row in `points`
    points: np.ndarray  # x, y of each commune (Lambert-93, metres)
    # theme -> (local project ids of its sites, each commune's nearest site: its index in the
    # ids and its distance in metres); None without any local project of the theme.
    nearest: dict[str, tuple[list[str], np.ndarray, np.ndarray] | None]
    population: dict[str, int]  # commune code -> population
    uncovered: dict[str, set[str]]  # theme -> communes no local project of it serves


def summary_context(projects: list[Project], territories: Territories,
                    coverage: dict[str, pd.DataFrame]) -> Context:
    """`coverage`: each theme's commune_coverage table."""
    ordered = sorted(projects, key=lambda p: p.id)
    geometry = commune_points(territories)
    index = {code: i for i, code in enumerate(geometry["code"])}
    points = np.column_stack([geometry.geometry.x.to_numpy(), geometry.geometry.y.to_numpy()])
    nearest = {}
    for theme in THEMES:
        table = project_sites([p for p in ordered if p.theme == theme.slug and p.commitment == "local"], territories)
        there = points[[index[c] for c in table["commune"]]]
        nearest[theme.slug] = (table["id"].tolist(), *_nearest_sites(points, there)) if len(table) else None
    served = {p.id: {c for t in p.territoires for c in territories.communes_of(t)} for p in ordered}
    any_table = next(iter(coverage.values()))
    population = dict(zip(any_table["code"], any_table["population"].astype(int), strict=True))
    uncovered = {theme: set(table.loc[~table["couverte"], "code"]) for theme, table in coverage.items()}
    return Context(ordered, served, index, points, nearest, population, uncovered)


def _nearest_sites(points: np.ndarray, sites: np.ndarray, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """For each point, its nearest site (the first one on a tie) and the distance to it, in
    the points' unit; by chunks of points (35,000 communes x 1,000 sites at national scale)."""
    best = np.empty(len(points), dtype=np.intp)
    distance = np.empty(len(points))
    for start in range(0, len(points), chunk):
        here = points[start:start + chunk]
        d = np.sqrt(((here[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
        best[start:start + chunk] = np.argmin(d, axis=1)
        distance[start:start + chunk] = d[np.arange(len(here)), best[start:start + chunk]]
    return best, distance


def _nearest(context: Context, communes: list[str], theme: str) -> Nearest:
    """The place's nearest local project of `theme`: the nearest site of its first commune
    (in `communes`' order) nearest to any site."""
    if context.nearest[theme] is None:
        return Nearest(theme, None, None)
    ids, best, distance = context.nearest[theme]
    rows = [context.index[c] for c in communes]
    first = int(np.argmin(distance[rows]))
    row = rows[first]
    return Nearest(theme, ids[best[row]], round(float(distance[row]) / 1000.0, 1))


def territory_summary(context: Context, territories: Territories, typed: str) -> TerritorySummary | None:
    """None for a place we do not know (or not of KINDS)."""
    kind, _, code = typed.partition(":")
    territory = territories.get(typed)
    if kind not in KINDS or territory is None:
        return None
    communes = list(territories.communes_of(typed))
    here = set(communes)
    serving: dict[str, dict[str, list[str]]] = {c: {} for c in COMMITMENTS}
    aller_vers = []
    for project in context.projects:
        if not context.served[project.id].isdisjoint(here):
            serving[project.commitment].setdefault(project.theme, []).append(project.id)
            if project.aller_vers:
                aller_vers.append(project.id)
    rows = []
    population = sum(context.population[c] for c in communes)
    for theme in THEMES:
        uncovered = here & context.uncovered[theme.slug]
        people = sum(context.population[c] for c in uncovered)
        rows.append(ThemeCoverageHere(theme.slug, len(uncovered), people,
                                      round(people / population, 4) if population else 0.0))
    return TerritorySummary(typed, kind, code, territory.label, int(territory.population), len(communes),
                            serving, aller_vers, [_nearest(context, communes, t.slug) for t in THEMES], rows)


def summary_dict(summary: TerritorySummary) -> dict:
    """As JSON writes it (dataclasses.asdict, without its deep copies: 10 times faster)."""
    return {"typed": summary.typed, "kind": summary.kind, "code": summary.code, "name": summary.name,
            "population": summary.population, "communes": summary.communes, "serving": summary.serving,
            "aller_vers": summary.aller_vers,
            "nearest": [{"theme": n.theme, "project_id": n.project_id, "km": n.km} for n in summary.nearest],
            "coverage": [{"theme": c.theme, "communes_uncovered": c.communes_uncovered,
                          "population_uncovered": c.population_uncovered, "share_uncovered": c.share_uncovered}
                         for c in summary.coverage]}
