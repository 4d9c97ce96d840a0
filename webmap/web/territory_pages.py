"""Territory pages: /territoires/<commune|epci|departement>/<code>, and the same as CSV and
JSON (webmap.analysis.territory computes; this module only shows)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from flask import Blueprint, abort, render_template, url_for

from webmap.analysis.classify import format_value
from webmap.analysis.territory import KINDS, TerritorySummary, territory_summary
from webmap.mapview.view import MapView
from webmap.projects.schema import THEME_BY_SLUG, THEMES
from webmap.web.common import dataset
from webmap.web.downloads import protect_cell
from webmap.web.http import cached_response
from webmap.web.render import page_context

bp = Blueprint("territories", __name__)
COMMITMENT_LABELS = {"local": "Projets locaux", "departemental": "Projets départementaux",
                     "regional": "Projets qui couvrent toute la région"}
KIND_LABELS = {"commune": "Commune", "epci": "Intercommunalité (EPCI)", "departement": "Département"}


def summary_of(kind: str, code: str) -> TerritorySummary:
    """The place's summary, computed once per data version; a French 404 if unknown."""
    if kind not in KINDS:
        abort(404)
    data = dataset()
    typed = f"{kind}:{code}"
    summary = data.memo(("territory", typed), lambda: territory_summary(
        data.projects, data.territories, typed, {t.slug: data.coverage(t.slug) for t in THEMES}))
    if summary is None:
        abort(404)
    return summary


def summary_json(summary: TerritorySummary) -> str:
    return json.dumps({**asdict(summary), "regles": "docs/couverture.md"}, ensure_ascii=False)


def summary_csv(summary: TerritorySummary) -> str:
    """One row per project serving the place (its commitment and theme), then one per theme
    with the nearest local project and the coverage figures."""
    data = dataset()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["territoire", "nom", "rubrique", "theme", "projet", "titre", "valeur"])
    head = [summary.typed, summary.name]

    def title(pid: str | None) -> str:  # the project file's text: never a spreadsheet formula
        return protect_cell(data.by_id[pid].titre) if pid else ""

    for commitment, by_theme in summary.serving.items():
        for theme, ids in by_theme.items():
            for pid in ids:
                writer.writerow([*head, f"projet {commitment}", theme, pid, title(pid), ""])
    for near in summary.nearest:
        writer.writerow([*head, "projet local le plus proche (km)", near.theme, near.project_id or "",
                         title(near.project_id), "" if near.km is None else near.km])
    for row in summary.coverage:
        writer.writerow([*head, "communes non couvertes", row.theme, "", "", row.communes_uncovered])
        writer.writerow([*head, "population non couverte", row.theme, "", "", row.population_uncovered])
    writer.writerow([*head, "population", "", "", "", summary.population])
    return "\ufeff" + out.getvalue()


@bp.get("/territoires/<kind>/<code>.json")
def territory_json(kind: str, code: str):
    return cached_response(summary_json(summary_of(kind, code)), "application/json", max_age=0)


@bp.get("/territoires/<kind>/<code>.csv")
def territory_csv(kind: str, code: str):
    summary = summary_of(kind, code)
    response = cached_response(summary_csv(summary), "text/csv", max_age=0)
    response.headers["Content-Disposition"] = f'attachment; filename="territoire-{kind}-{code}.csv"'
    return response


@bp.get("/territoires/<kind>/<code>")
def territory_page(kind: str, code: str):
    summary = summary_of(kind, code)
    data = dataset()
    departement = data.territories.get(summary.typed).departements[0]
    return render_template(
        "territoire.html", summary=summary, kind_label=KIND_LABELS[kind], commitments=COMMITMENT_LABELS,
        themes_by_slug=THEME_BY_SLUG, project=data.by_id.get, fmt=format_value,
        map_url=url_for("pages.index", niveau=None if kind == "departement" else kind, departement=departement),
        json_url=url_for("territories.territory_json", kind=kind, code=code),
        csv_url=url_for("territories.territory_csv", kind=kind, code=code),
        **page_context(data, MapView()))
