"""`/couverture`: coverage gaps by department and EPCI, as HTML tables, CSV and JSON."""

from __future__ import annotations

import pandas as pd
from flask import Blueprint, current_app, render_template, request

from webmap.analysis.coverage import SUMMARY_COLUMNS
from webmap.analysis.coverage_report import (
    HEADERS,
    ThemeCoverage,
    format_cell,
    region_sentence,
    render_csv,
    render_json,
    theme_coverage,
)
from webmap.analysis.metrics import LEVELS
from webmap.places.gazetteer import normalize
from webmap.projects.schema import THEME_BY_SLUG, THEMES
from webmap.web.common import BadParameters, dataset, unknown_value
from webmap.web.http import cached_response

bp = Blueprint("coverage", __name__)
# Every column of the tables is a sort link (the template writes one per header): text
# columns in alphabetical order, figures from the largest.
SORTS = SUMMARY_COLUMNS
ASCENDING = ("code", "nom")


def _choice(name: str, default: str, accepted: tuple[str, ...]) -> str:
    value = request.args.get(name, "") or default
    if value not in accepted:
        raise BadParameters([unknown_value(name, value, accepted)])
    return value


def _coverage(theme: str, by: str) -> ThemeCoverage:
    data = dataset()
    return data.memo(("coverage-report", theme, by),
                     lambda: theme_coverage(data.projects, data.territories, theme, by,
                                                   communes=data.coverage(theme)))


def _sort_key(column: pd.Series) -> pd.Series:
    """Names in the order a French reader expects: case, accents and punctuation aside
    (« d'Hénin-Carvin » before « Douaisis »)."""
    return column.map(normalize) if column.name == "nom" else column


def _sorted(item: ThemeCoverage, tri: str):
    ascending = tri in ASCENDING
    return item.table.sort_values([tri, "code"], ascending=[ascending, True], kind="stable", key=_sort_key)


@bp.get("/couverture")
@bp.get("/couverture/<theme_path>")
def page(theme_path: str | None = None):
    if theme_path is not None and theme_path not in THEME_BY_SLUG:
        raise BadParameters([unknown_value("theme", theme_path, THEME_BY_SLUG)])
    theme = theme_path or _choice("theme", THEMES[0].slug, tuple(THEME_BY_SLUG))
    tri = _choice("tri", "population_non_couverte", SORTS)
    tables = []
    for by in ("departement", "epci"):
        item = _coverage(theme, by)
        rows = [[format_cell(c, v) for c, v in zip(SUMMARY_COLUMNS, row, strict=True)]
                for row in _sorted(item, tri)[list(SUMMARY_COLUMNS)].itertuples(index=False)]
        tables.append((by, rows))
    item = _coverage(theme, "departement")
    return render_template(
        "couverture.html", theme=THEME_BY_SLUG[theme], themes=THEMES, tri=tri, ascending=ASCENDING,
        tables=tables,
        headers=[(c, HEADERS[c]) for c in SUMMARY_COLUMNS], summary=region_sentence(item),
        worst=_coverage(theme, "epci").worst_epci,
        format_cell=format_cell, settings=current_app.config["WEBMAP"],
    )


def _path_or_query(theme: str | None, by: str | None) -> tuple[str, str]:
    if theme is not None or by is not None:
        if theme not in THEME_BY_SLUG or by not in LEVELS:
            raise BadParameters([unknown_value("theme", str(theme), THEME_BY_SLUG)
                                 if theme not in THEME_BY_SLUG else unknown_value("par", str(by), LEVELS)])
        return theme, by
    return (_choice("theme", THEMES[0].slug, tuple(THEME_BY_SLUG)),
            _choice("par", LEVELS[0], LEVELS))


@bp.get("/couverture.csv")
@bp.get("/couverture/<theme>/<by>.csv")
def csv_export(theme: str | None = None, by: str | None = None):
    theme, by = _path_or_query(theme, by)
    text = dataset().memo(("coverage-csv", theme, by),
                          lambda: render_csv([_coverage(theme, by)], with_theme=False))
    response = cached_response(text, "text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="couverture-{theme}-{by}.csv"'
    return response


@bp.get("/couverture.json")
@bp.get("/couverture/<theme>/<by>.json")
def json_export(theme: str | None = None, by: str | None = None):
    theme, by = _path_or_query(theme, by)
    text = dataset().memo(("coverage-json", theme, by), lambda: render_json([_coverage(theme, by)], by))
    return cached_response(text, "application/json")
