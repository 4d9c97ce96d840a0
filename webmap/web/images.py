"""Map images drawn by the server: `/carte.png` and `/carte.svg` for any view of `/` (same
parameters, plus `largeur`), `/projets/<id>.png` for one project. Drawn by
webmap.mapview.image, which imports Matplotlib only when an image is asked for.

Cached per app, data version and parameters (a bounded cache of their own: an SVG of the
communes weighs a megabyte); served with an ETag, revalidated, or cached for a day when the
address carries the data version (`?v=`), like the other data."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, request
from werkzeug.exceptions import NotFound

from webmap.mapview import image
from webmap.mapview.dataset import Dataset
from webmap.mapview.view import parse_view
from webmap.web.common import BadParameters, dataset, versioned_max_age
from webmap.web.http import cached_response
from webmap.web.render import RenderCache

bp = Blueprint("images", __name__)

CACHE_KEY = "webmap.image_cache"
CACHE_SIZE = 48  # images (PNG 0.1-0.7 MB, SVG up to 1 MB)
_DIGITS = re.compile(r"[0-9]{1,5}")


class NoSuchProject(NotFound):
    def __init__(self, project_id: str):
        super().__init__()
        self.messages = [f"Aucun projet d'identifiant « {project_id} ». La liste des projets donne "
                         "leurs identifiants (par exemple hdf-2021-01)."]


@bp.record_once
def _install_cache(state) -> None:
    state.app.extensions[CACHE_KEY] = RenderCache(size=CACHE_SIZE)


def width_or_errors() -> tuple[int, list[str]]:
    """`largeur` (pixels), or the French message that says what is expected."""
    raw = request.args.get("largeur")
    if raw is None or raw == "":
        return image.DEFAULT_WIDTH, []
    if _DIGITS.fullmatch(raw) and image.MIN_WIDTH <= int(raw) <= image.MAX_WIDTH:
        return int(raw), []
    return image.DEFAULT_WIDTH, [
        f"Paramètre « largeur » : valeur « {raw} » incorrecte. Valeur attendue : un nombre entier de "
        f"pixels de {image.MIN_WIDTH} à {image.MAX_WIDTH} (par défaut {image.DEFAULT_WIDTH})."]


def image_response(data: Dataset, key: tuple, draw, fmt: str, filename: str):
    """An image from the app's image cache (key: what it shows; the data version is added)."""
    body = current_app.extensions[CACHE_KEY].get(("image", data.version, data.modified, fmt, *key), draw)
    response = cached_response(body, image.FORMATS[fmt], max_age=versioned_max_age(data))
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    return response


@bp.get("/carte.png", defaults={"fmt": "png"})
@bp.get("/carte.svg", defaults={"fmt": "svg"})
def map_image(fmt: str):
    """The view of `/` with these parameters, as an image."""
    data = dataset()
    view, errors = parse_view(request.args, set(data.by_id), data.territories.region.departements)  # as `/` reads them
    width, width_errors = width_or_errors()
    messages = [e.message() for e in errors] + width_errors
    if messages:
        raise BadParameters(messages)

    def draw() -> bytes:
        return image.map_image(data, view, fmt, width)

    key = ("carte", view.niveau, view.indicateur, view.theme, view.departement, view.legende, width)
    return image_response(data, key, draw, fmt, "carte")


@bp.get("/projets/<project_id>.png")
def project_image(project_id: str):
    """One project: its served territory, its marker, its title."""
    data = dataset()
    if project_id not in data.by_id:
        raise NoSuchProject(project_id)
    width, errors = width_or_errors()
    if errors:
        raise BadParameters(errors)

    def draw() -> bytes:
        return image.project_image(data, project_id, "png", width)

    return image_response(data, ("projet", project_id, width), draw, "png", project_id)


@bp.get("/territoires/<kind>/<code>.png")
def territory_image(kind: str, code: str):
    """One place (a commune, an EPCI, a department) and the projects that serve it."""
    from webmap.analysis.territory import KINDS

    data = dataset()
    if kind not in KINDS or data.territories.get(f"{kind}:{code}") is None:
        raise NotFound()
    width, errors = width_or_errors()
    if errors:
        raise BadParameters(errors)

    def draw() -> bytes:
        return image.territory_image(data, f"{kind}:{code}", "png", width)

    return image_response(data, ("territoire", kind, code, width), draw, "png", f"territoire-{kind}-{code}")
