"""`/couverture`: coverage gaps by department and EPCI, as HTML tables, CSV and JSON."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from webmap import press_kit
from webmap.coverage import SUMMARY_COLUMNS
from webmap.coverage_report import (
    HEADERS,
    ThemeCoverage,
    format_cell,
    region_sentence,
    render_csv,
    render_json,
    theme_coverage,
)
from webmap.projects.schema import THEME_BY_SLUG, THEMES
from webmap.web.common import BadParameters, dataset, unknown_value
from webmap.web.http import cached_response

bp = Blueprint("coverage", __name__)
LEVELS = ("departement", "epci", "commune")
SORTS = ("population_non_couverte", "part_population_non_couverte", "distance_moyenne_km",
         "population", "nom", "code")



def _choice(name: str, default: str, accepted: tuple[str, ...]) -> str:
    value = request.args.get(name, "") or default
    if value not in accepted:
        raise BadParameters([unknown_value(name, value, accepted)])
    return value


def _coverage(theme: str, by: str) -> ThemeCoverage:
    data = dataset()
    key = ("coverage-report", theme, by)
    if key not in data._cache:
        data._cache[key] = theme_coverage(data.projects, data.territories, theme, by)
    return data._cache[key]


def _sorted(item: ThemeCoverage, tri: str):
    ascending = tri in ("nom", "code")
    return item.table.sort_values([tri, "code"], ascending=[ascending, True], kind="stable")


@bp.get("/couverture")
def page():
    theme = _choice("theme", "alimentation", tuple(THEME_BY_SLUG))
    tri = _choice("tri", "population_non_couverte", SORTS)
    tables = []
    for by in ("departement", "epci"):
        item = _coverage(theme, by)
        rows = [[format_cell(c, v) for c, v in zip(SUMMARY_COLUMNS, row)]
                for row in _sorted(item, tri)[list(SUMMARY_COLUMNS)].itertuples(index=False)]
        tables.append((by, rows))
    item = _coverage(theme, "departement")
    return render_template(
        "couverture.html", theme=THEME_BY_SLUG[theme], themes=THEMES, tri=tri, tables=tables,
        headers=[(c, HEADERS[c]) for c in SUMMARY_COLUMNS], summary=region_sentence(item),
        worst=_coverage(theme, "epci").worst_epci, press_kit=press_kit,
        format_cell=format_cell,
    )


@bp.get("/couverture.csv")
def csv_export():
    theme = _choice("theme", "alimentation", tuple(THEME_BY_SLUG))
    by = _choice("par", "departement", LEVELS)
    response = cached_response(render_csv([_coverage(theme, by)], with_theme=False),
                               "text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="couverture-{theme}-{by}.csv"'
    return response


@bp.get("/couverture.json")
def json_export():
    theme = _choice("theme", "alimentation", tuple(THEME_BY_SLUG))
    by = _choice("par", "departement", LEVELS)
    return cached_response(render_json([_coverage(theme, by)], by), "application/json")
