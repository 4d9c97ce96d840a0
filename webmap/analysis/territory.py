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


def served_communes(project: Project, territories: Territories) -> set[str]:
    return {c for t in project.territoires for c in territories.communes_of(t)}


def nearest_local(projects: list[Project], territories: Territories, communes: list[str],
                  theme: str) -> Nearest:
    """The local project of `theme` whose site is nearest to one of `communes`."""
    sites = project_sites([p for p in projects if p.theme == theme], territories)
    if sites.empty:
        return Nearest(theme, None, None)
    points = commune_points(territories).set_index("code").geometry
    here = np.array([(p.x, p.y) for p in points.loc[communes]])
    there = np.array([(p.x, p.y) for p in points.loc[sites["commune"]]])
    distances = np.sqrt(((here[:, None, :] - there[None, :, :]) ** 2).sum(axis=2))  # metres
    best = np.unravel_index(np.argmin(distances), distances.shape)
    return Nearest(theme, str(sites["id"].iloc[best[1]]), round(float(distances[best]) / 1000.0, 1))


def territory_summary(projects: list[Project], territories: Territories, typed: str,
                      coverage: dict[str, pd.DataFrame]) -> TerritorySummary | None:
    """`coverage`: each theme's commune_coverage table. None for a place we do not know."""
    kind, _, code = typed.partition(":")
    territory = territories.get(typed)
    if kind not in KINDS or territory is None:
        return None
    communes = list(territories.communes_of(typed))
    here = set(communes)
    serving: dict[str, dict[str, list[str]]] = {c: {} for c in COMMITMENTS}
    aller_vers = []
    for project in sorted(projects, key=lambda p: p.id):
        if served_communes(project, territories) & here:
            serving[project.commitment].setdefault(project.theme, []).append(project.id)
            if project.aller_vers:
                aller_vers.append(project.id)
    nearest = [nearest_local([p for p in projects if p.commitment == "local"], territories, communes, t.slug)
               for t in THEMES]
    rows = []
    for theme in THEMES:
        table = coverage[theme.slug].loc[communes]
        uncovered = table[~table["couverte"]]
        population = int(table["population"].sum())
        rows.append(ThemeCoverageHere(theme.slug, len(uncovered), int(uncovered["population"].sum()),
                                      round(int(uncovered["population"].sum()) / population, 4) if population else 0.0))
    return TerritorySummary(typed, kind, code, territory.label, int(territory.population), len(communes),
                            serving, aller_vers, nearest, rows)
