"""Coverage figures as tables for people (CLI, web page) and as CSV/JSON for programs."""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict, dataclass

import pandas as pd

from webmap.analysis.coverage import (
    SUMMARY_COLUMNS,
    RegionSummary,
    commune_coverage,
    region_summary,
    summarize,
)
from webmap.analysis.french import format_number
from webmap.projects.schema import THEME_BY_SLUG, THEMES
from webmap.projects.store import Project
from webmap.reference.territories import Territories

FORMATS = ("table", "csv", "json")
HEADERS = {
    "code": "Code", "nom": "Nom", "communes": "Communes", "population": "Population",
    "communes_non_couvertes": "Communes non couvertes",
    "population_non_couverte": "Population non couverte",
    "part_population_non_couverte": "Part non couverte",
    "distance_moyenne_km": "Distance moyenne (km)",
}


@dataclass(frozen=True)
class ThemeCoverage:
    theme: str
    region: RegionSummary
    table: pd.DataFrame  # summary rows at the requested level
    worst_epci: dict | None


def theme_coverage(projects: list[Project], territories: Territories, theme: str,
                   by: str, communes: pd.DataFrame | None = None) -> ThemeCoverage:
    """`communes`: the theme's commune_coverage table when the caller already has it."""
    if communes is None:
        communes = commune_coverage(projects, territories, theme)
    epci = summarize(communes, "epci", territories)
    worst = epci.iloc[0].to_dict() if not epci.empty else None
    table = epci if by == "epci" else summarize(communes, by, territories)
    return ThemeCoverage(theme, region_summary(communes, theme), table, worst)


def coverage_for(projects, territories, themes: list[str], by: str) -> list[ThemeCoverage]:
    return [theme_coverage(projects, territories, theme, by) for theme in themes]


def _fr_int(value) -> str:
    return format_number(int(value))


def _fr_float(value: float, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format_number(value, decimals)


def format_cell(column: str, value) -> str:
    if column in ("communes", "population", "communes_non_couvertes", "population_non_couverte"):
        return _fr_int(value)
    if column == "part_population_non_couverte":
        return _fr_float(100 * float(value), 1) + " %"
    if column == "distance_moyenne_km":
        return _fr_float(float(value), 1)
    return str(value)


def region_sentence(item: ThemeCoverage) -> str:
    r = item.region
    title = THEME_BY_SLUG[item.theme].court
    text = (f"{title} : {_fr_int(r.population_non_couverte)} habitants "
            f"({_fr_float(100 * r.part_population_non_couverte)} %) vivent dans "
            f"{_fr_int(r.communes_non_couvertes)} communes sans projet local sur "
            f"{_fr_int(r.communes)} ; distance moyenne au projet local le plus proche : "
            f"{_fr_float(r.distance_moyenne_km)} km.")
    return text


def worst_sentence(item: ThemeCoverage) -> str:
    worst = item.worst_epci
    if not worst:
        return ""
    return (f"EPCI le plus concerné : {worst['nom']} ({worst['code']}), "
            f"{_fr_int(worst['population_non_couverte'])} habitants non couverts "
            f"({_fr_float(100 * worst['part_population_non_couverte'])} %).")


def render_table(items: list[ThemeCoverage], limit: int | None = None) -> str:
    lines: list[str] = []
    for item in items:
        lines.append(region_sentence(item))
        lines.append(worst_sentence(item))
        frame = item.table if limit is None else item.table.head(limit)
        cells = [[HEADERS[c] for c in SUMMARY_COLUMNS]]
        for row in frame[list(SUMMARY_COLUMNS)].itertuples(index=False):
            values = dict(zip(SUMMARY_COLUMNS, row, strict=True))
            values["nom"] = values["nom"] if len(str(values["nom"])) <= 48 else str(values["nom"])[:47] + "…"
            cells.append([format_cell(c, values[c]) for c in SUMMARY_COLUMNS])
        widths = [max(len(r[i]) for r in cells) for i in range(len(SUMMARY_COLUMNS))]
        for n, row in enumerate(cells):
            lines.append("  ".join(
                cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        if limit is not None and len(item.table) > limit:
            lines.append(f"… {len(item.table) - limit} lignes de plus (--format csv pour tout)")
        lines.append("")
    return "\n".join(lines)


def _rows(items: list[ThemeCoverage], with_theme: bool) -> pd.DataFrame:
    frames = []
    for item in items:
        frame = item.table.copy()
        frame["part_population_non_couverte"] = frame["part_population_non_couverte"].round(4)
        frame["distance_moyenne_km"] = frame["distance_moyenne_km"].round(2)
        if with_theme:
            frame.insert(0, "theme", item.theme)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def render_csv(items: list[ThemeCoverage], with_theme: bool) -> str:
    buffer = io.StringIO()
    _rows(items, with_theme).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def render_json(items: list[ThemeCoverage], by: str) -> str:
    payload = {
        "niveau": by,
        "regles": "docs/couverture.md",
        "themes": [
            {
                "theme": item.theme,
                "region": {**asdict(item.region),
                           "part_population_non_couverte": round(item.region.part_population_non_couverte, 4)},
                "epci_le_plus_concerne": item.worst_epci and {
                    k: (v.item() if hasattr(v, "item") else v) for k, v in item.worst_epci.items()},
                "lignes": json.loads(_rows([item], with_theme=False).to_json(orient="records", force_ascii=False)),
            }
            for item in items
        ],
    }
    return json.dumps(payload, ensure_ascii=False)  # no indent: the C encoder (10× faster)


def all_theme_slugs() -> list[str]:
    return [t.slug for t in THEMES]
