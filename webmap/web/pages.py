"""HTML pages: the map, the list of projects (its text alternative), errors."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from webmap.analysis.territory import KINDS
from webmap.mapview.view import MapView
from webmap.projects.schema import THEME_BY_SLUG
from webmap.web.common import STATIC_PAGE_KINDS, BadParameters, dataset, unknown_value, versioned_max_age
from webmap.web.http import cached_response
from webmap.web.render import (
    MAP_KINDS,
    map_page,
    oembed_discovery,
    page_context,
    parse_or_400,
    rendered_map,
    view_image_url,
)

bp = Blueprint("pages", __name__)
PRINT_WIDTH = 1400  # px: an A4 page at 170 dpi


@bp.get("/")
def index():
    data = dataset()
    view = parse_or_400(data)
    # Printed, the page shows the map drawn by the server (/carte.png) of its view.
    static = current_app.config["WEBMAP"].static_export
    base = url_for("images.map_image", fmt="png")
    return cached_response(map_page("index.html", data, view, "page", print_base=base, print_views=not static,
                                    print_image=view_image_url(view, static, largeur=PRINT_WIDTH)), "text/html")


@bp.get("/carte/<kind>.js")
def map_script(kind: str):
    """The map of / ("page") or /embed ("embed"): the same script for every view."""
    if kind not in MAP_KINDS:
        abort(404)
    data = dataset()
    return cached_response(rendered_map(data, kind)["script"], "text/javascript",
                           max_age=versioned_max_age(data))


SORT_KEYS = {
    "id": lambda p: p.id,
    "titre": lambda p: p.titre.lower(),
    "porteur": lambda p: p.porteur.lower(),
    "theme": lambda p: p.theme,
    "departement": lambda p: ";".join(p.departements) or "00",
}


@bp.get("/projets")
def projets():
    data = dataset()
    errors = []
    theme = request.args.get("theme", "")
    departement = request.args.get("departement", "")
    tri = request.args.get("tri", "id")
    if theme and theme not in THEME_BY_SLUG:
        errors.append(unknown_value("theme", theme, THEME_BY_SLUG))
    departements = data.territories.region.departements
    if departement and departement not in departements:
        errors.append(unknown_value("departement", departement, departements))
    if tri not in SORT_KEYS:
        errors.append(unknown_value("tri", tri, SORT_KEYS))
    if errors:
        raise BadParameters(errors)
    rows = [p for p in data.projects
            if (not theme or p.theme == theme)
            and (not departement or departement in p.departements or p.regionwide)]
    rows.sort(key=SORT_KEYS[tri])
    return render_template(
        "projets.html", rows=rows, theme=theme, departement=departement, tri=tri,
        label=data.territory_label, oembed=oembed_discovery(), **page_context(data, MapView()))


@bp.get("/projets/<project_id>")
def projet(project_id: str):
    """A project's own page: its card, its permanent address to copy or send, where to report
    an error, and the tags link previews read (Open Graph, Twitter)."""
    from webmap.mapview.build import popup_html
    from webmap.web.render import app_urls, public_base

    data = dataset()
    project = data.by_id.get(project_id)
    if project is None:
        abort(404)
    settings = current_app.config["WEBMAP"]
    # A static copy does not know where it will be published unless WEBMAP_PUBLIC_URL says so:
    # then the page shows its own address (share.js), and has no canonical or og:url.
    known = settings.public_url or not settings.static_export
    permalink = public_base() + url_for("pages.projet", project_id=project.id) if known else ""
    summary = " ".join(project.description.split())
    return render_template(
        "projet.html", project=project, card=Markup(popup_html(project, data, app_urls(), heading=1, on_page=True)),
        permalink=permalink, summary=summary[:197] + "…" if len(summary) > 200 else summary,
        map_url=url_for("pages.index", projet=project.id), list_url=url_for("pages.projets") + "#" + project.id,
        report_subject=f"Erreur sur le projet {project.id} — {project.titre}"[:150],
        territories=territory_links(data, project, static=settings.static_export),
        # The project's map image: drawn by the app (a static copy does not carry them).
        image=None if settings.static_export else url_for("images.project_image", project_id=project.id),
        image_abs=public_base() + url_for("images.project_image", project_id=project.id) if known else "",
        contact=settings.contact, oembed=oembed_discovery(), **page_context(data, MapView()))


def territory_links(data, project, static: bool) -> list[tuple[str, str]]:
    """(label, address) of the project's territories that have a page (a static copy has
    those of the departments and EPCI), then of their departments."""
    kinds = STATIC_PAGE_KINDS if static else KINDS
    typed = list(dict.fromkeys([*project.territoires, *(f"departement:{d}" for d in project.departements)]))
    links = []
    for code in typed:
        kind, _, value = code.partition(":")
        if kind in kinds:
            links.append((data.territory_label(code),
                          url_for("territories.territory_page", kind=kind, code=value)))
    return links


@bp.get("/sante")
def health():
    dataset()  # looks for a new file, like any request
    return current_app.extensions["webmap.holder"].health()

