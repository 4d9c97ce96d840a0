"""Territory pages: /territoires/<commune|epci|departement>/<code>, and the same as CSV and
JSON (webmap.analysis.territory computes; this module only shows)."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, abort, render_template, url_for

from webmap.analysis.classify import format_value
from webmap.analysis.territory import (
    KINDS,
    Context,
    TerritorySummary,
    summary_context,
    summary_dict,
    territory_summary,
)
from webmap.mapview.dataset import Dataset
from webmap.mapview.view import MapView
from webmap.projects.schema import THEME_BY_SLUG, THEMES
from webmap.web.common import dataset, protect_cell, versioned_max_age
from webmap.web.http import cached_response
from webmap.web.render import page_context

bp = Blueprint("territories", __name__)
COMMITMENT_LABELS = {"local": "Projets locaux", "departemental": "Projets départementaux",
                     "regional": "Projets qui couvrent toute la région"}
KIND_LABELS = {"commune": "Commune", "epci": "Intercommunalité (EPCI)", "departement": "Département"}


def context(data: Dataset) -> Context:
    return data.memo(("territory-context",), lambda: summary_context(
        data.projects, data.territories, {t.slug: data.coverage(t.slug) for t in THEMES}))


def summary_of(kind: str, code: str) -> TerritorySummary:
    """The place's summary (a French 404 if unknown)."""
    if kind not in KINDS:
        abort(404)
    data = dataset()
    summary = territory_summary(context(data), data.territories, f"{kind}:{code}")
    if summary is None:
        abort(404)
    return summary


def department_bundle(data: Dataset, departement: str) -> str:
    """Every place of a department (its communes, the EPCI it has a part of, itself) as one
    file, for the map's panel: what the search opens, in the app and in a static copy."""
    ctx = context(data)
    typed = [f"departement:{departement}"]
    typed += sorted({f"epci:{code}" for code in data.territories.communes.loc[
        data.territories.communes["departement"] == departement, "epci"] if code})
    typed += [f"commune:{c}" for c in data.territories.communes_of(f"departement:{departement}")]
    places = {t: summary_dict(s) for t in typed if (s := territory_summary(ctx, data.territories, t))}
    ids = {pid for place in places.values() for by_theme in place["serving"].values() for v in by_theme.values()
           for pid in v} | {n["project_id"] for place in places.values() for n in place["nearest"] if n["project_id"]}
    return json.dumps({"titles": {pid: data.by_id[pid].titre for pid in sorted(ids)}, "places": places},
                      ensure_ascii=False, separators=(",", ":"))


@bp.get("/donnees/territoires/<departement>.json")
def department_json(departement: str):
    data = dataset()
    if departement not in data.territories.region.departements:
        abort(404)
    body = data.memo(("territory-bundle", departement), lambda: department_bundle(data, departement))
    return cached_response(body, "application/json", max_age=versioned_max_age(data))


def summary_json(summary: TerritorySummary) -> str:
    return json.dumps({**summary_dict(summary), "regles": "docs/couverture.md"}, ensure_ascii=False)


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
