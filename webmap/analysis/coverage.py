"""Coverage gaps: which communes no local project of a theme serves, who lives there, how far.

Rules (also in docs/couverture.md):
- a project *serves* the communes of its territories (an EPCI, canton, arrondissement or
  department stands for all its communes);
- its *commitment* follows its precision: **local** (commune, canton, EPCI, arrondissement),
  **departmental** (department) or **regional** (whole region);
- a commune is **uncovered** (a computed "zone blanche") for a theme when no *local* project
  of that theme serves it; the departmental and regional projects that nominally cover it are
  listed beside it;
- a local project's *sites* are the commune named as its place (`lieu`) or, when the text
  names none, every commune of its served territory;
- **distance**: from the commune's representative point (town hall) to the nearest site's
  representative point, in km, computed in Lambert-93 (EPSG:2154); 0 for a site itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from webmap.projects.store import Project, ThemeSelection, select_themes
from webmap.reference.territories import Territories

LAMBERT93 = "EPSG:2154"
GROUP_LEVELS = ("commune", "epci", "departement")
SUMMARY_COLUMNS = (
    "code", "nom", "communes", "population", "communes_non_couvertes",
    "population_non_couverte", "part_population_non_couverte", "distance_moyenne_km",
)


COMMITMENTS = ("local", "departemental", "regional")


def _serving_ids(projects: list[Project], territories: Territories,
                 codes: list[str]) -> dict[str, list[str]]:
    """commitment -> for each of `codes`, the sorted ids of the projects serving it, joined by ';'."""
    served: dict[str, dict[str, list[str]]] = {commitment: {} for commitment in COMMITMENTS}
    for project in sorted(projects, key=lambda p: p.id):  # each commune's list comes out sorted
        by_commune = served[project.commitment]
        for commune in {c for t in project.territoires for c in territories.communes_of(t)}:
            by_commune.setdefault(commune, []).append(project.id)
    return {commitment: [";".join(by_commune.get(code, ())) for code in codes]
            for commitment, by_commune in served.items()}


def project_sites(projects: list[Project], territories: Territories) -> pd.DataFrame:
    """Local projects' sites: one row per (project id, commune)."""
    rows = []
    for project in projects:
        if project.commitment != "local":
            continue
        communes = [project.lieu] if project.lieu else sorted(
            {c for t in project.territoires for c in territories.communes_of(t)})
        rows.extend((project.id, commune) for commune in communes)
    return pd.DataFrame(rows, columns=["id", "commune"])


def commune_points(territories: Territories) -> gpd.GeoDataFrame:
    """Each commune's representative point in Lambert-93; computed once per territories
    (every theme, view and reload reads it: about 4 ms each time otherwise). Read-only."""
    def compute() -> gpd.GeoDataFrame:
        communes = territories.communes
        return gpd.GeoDataFrame(
            communes[["code"]].copy(),
            geometry=gpd.points_from_xy(communes["lon"], communes["lat"]),
            crs="EPSG:4326",
        ).to_crs(LAMBERT93)
    return territories.memo("commune_points_lambert93", compute)


def nearest_site_km(territories: Territories, sites: pd.DataFrame) -> pd.Series:
    """Distance (km) from each commune's point to the nearest site's point; NaN without sites."""
    points = commune_points(territories)
    if sites.empty:
        return pd.Series(np.nan, index=points["code"].to_numpy(), name="distance_km")
    site_points = points[points["code"].isin(set(sites["commune"]))][["geometry"]]
    joined = gpd.sjoin_nearest(points, site_points, how="left", distance_col="distance_m")
    distance = joined.groupby("code")["distance_m"].min() / 1000.0
    return distance.reindex(points["code"].to_numpy()).rename("distance_km")


def commune_coverage(projects: list[Project], territories: Territories,
                     theme: ThemeSelection) -> pd.DataFrame:
    """One row per commune: population, covered, serving projects by commitment, distance."""
    selected = select_themes(projects, theme)
    communes = territories.communes
    table = pd.DataFrame({
        "code": communes["code"].to_numpy(),
        "nom": communes["nom"].to_numpy(),
        "departement": communes["departement"].to_numpy(),
        "epci": communes["epci"].to_numpy(),
        "population": communes["population"].astype("int64").to_numpy(),
    }).set_index("code", drop=False)
    for commitment, ids in _serving_ids(selected, territories, communes["code"].tolist()).items():
        table[f"projets_{commitment}"] = ids
    table["couverte"] = table["projets_local"] != ""
    sites = project_sites(selected, territories)
    table["distance_km"] = nearest_site_km(territories, sites).reindex(table.index)
    return table


def summarize(table: pd.DataFrame, by: str, territories: Territories) -> pd.DataFrame:
    """Aggregate commune coverage by commune, EPCI or department (schema SUMMARY_COLUMNS)."""
    frame = table.assign(non_couverte=~table["couverte"])
    frame["pop_non_couverte"] = np.where(frame["non_couverte"], frame["population"], 0)
    frame["pop_x_distance"] = frame["population"] * frame["distance_km"]
    if by == "commune":
        out = pd.DataFrame({
            "code": frame["code"], "nom": frame["nom"], "communes": 1,
            "population": frame["population"],
            "communes_non_couvertes": frame["non_couverte"].astype("int64"),
            "population_non_couverte": frame["pop_non_couverte"].astype("int64"),
            "distance_moyenne_km": frame["distance_km"],
        })
    else:
        key = "epci" if by == "epci" else "departement"
        grouped = frame.groupby(key)
        out = pd.DataFrame({
            "communes": grouped.size(),
            "population": grouped["population"].sum(),
            "communes_non_couvertes": grouped["non_couverte"].sum().astype("int64"),
            "population_non_couverte": grouped["pop_non_couverte"].sum().astype("int64"),
            "distance_moyenne_km": grouped["pop_x_distance"].sum() / grouped["population"].sum(),
        })
        layer = territories.layers["epci" if by == "epci" else "departements"]
        names = pd.Series(layer["nom"].to_numpy(), index=layer["code"].to_numpy())
        out.insert(0, "nom", names.reindex(out.index).to_numpy())
        out.insert(0, "code", out.index)
    out["part_population_non_couverte"] = np.where(
        out["population"] > 0, out["population_non_couverte"] / out["population"], 0.0)
    extra = []
    if by == "commune":  # what nominally covers an uncovered commune, beside it
        extra = ["projets_local", "projets_departemental", "projets_regional"]
        for column in extra:
            out[column] = frame[column].to_numpy()
    out = out[list(SUMMARY_COLUMNS) + extra].reset_index(drop=True)
    return out.sort_values(["population_non_couverte", "code"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class RegionSummary:
    theme: ThemeSelection
    communes: int
    population: int
    communes_non_couvertes: int
    population_non_couverte: int
    distance_moyenne_km: float

    @property
    def part_population_non_couverte(self) -> float:
        return self.population_non_couverte / self.population if self.population else 0.0


def region_summary(table: pd.DataFrame, theme: ThemeSelection) -> RegionSummary:
    population = int(table["population"].sum())
    uncovered = ~table["couverte"]
    return RegionSummary(
        theme=theme,
        communes=len(table),
        population=population,
        communes_non_couvertes=int(uncovered.sum()),
        population_non_couverte=int(table.loc[uncovered, "population"].sum()),
        distance_moyenne_km=float((table["population"] * table["distance_km"]).sum() / population),
    )
