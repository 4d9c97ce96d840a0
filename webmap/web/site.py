"""What every page of the site says as a State site (DSFR header and footer) and its three
mandatory pages: the accessibility declaration (RGAA model), the legal notice and personal
data. Facts only: what was measured, and how; nothing claimed that was not checked."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, current_app, render_template

from webmap.web import dsfr

bp = Blueprint("site", __name__)

# The pages every State site has (their addresses; the static export writes them too).
SITE_PAGES = ("accessibilite", "mentions-legales", "donnees-personnelles")
# The footer's links to the State's sites that the DSFR footer asks for.
OFFICIAL_SITES = ("info.gouv.fr", "service-public.fr", "legifrance.gouv.fr", "data.gouv.fr")

# RGAA: without a complete audit of the sample of pages, a site is declared « non conforme ».
# What was tested, automatically and by hand, is said on the page, not turned into a rate.
ACCESSIBILITY = SimpleNamespace(
    compliance="non conforme",
    referential="RGAA 4.1.2",
    declared_on="2 décembre 2026",
    tools=("Chromium 156 sans interface (Debian 12) piloté par Playwright",
           "axe-core 4.14.1 sur quinze pages à 1 280 pixels de large et quinze à 320, dont celle d'un "
           "projet et celles de territoires : aucune erreur",
           "contrastes des éléments graphiques de la carte calculés (au moins 3:1), pages lues à 320 pixels "
           "de large sans défilement horizontal",
           "parcours au clavier seul : ouvrir et fermer les fiches, les couches, changer la vue"),
    known_gaps=(
        "Aucun audit complet du RGAA n'a encore été mené.",
        "À l'échelle nationale (plus de 400 projets), les marqueurs sont dessinés sur une image : "
        "ils ne sont pas atteignables au clavier un à un ; la liste des projets les donne tous.",
        "Le fond de carte (Plan IGN) est une image sans alternative : les limites administratives "
        "et les valeurs affichées sont données en texte à côté de la carte et dans les tableaux.",
    ),
    technologies=("HTML5", "CSS", "JavaScript", "WAI-ARIA", "SVG"),
)


def site_globals() -> dict:
    """Template globals of every page (error pages too)."""
    return {
        "dsfr": SimpleNamespace(stylesheets=dsfr.STYLESHEETS, scripts=dsfr.SCRIPTS),
        "official_sites": OFFICIAL_SITES,
        "accessibility": ACCESSIBILITY,
    }


def _page(template: str):
    return render_template(template, settings=current_app.config["WEBMAP"])


@bp.get("/accessibilite")
def accessibilite():
    return _page("site/accessibilite.html")


@bp.get("/mentions-legales")
def mentions_legales():
    return _page("site/mentions-legales.html")


@bp.get("/donnees-personnelles")
def donnees_personnelles():
    return _page("site/donnees-personnelles.html")
