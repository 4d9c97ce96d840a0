"""Embedding: `/embed` (the map alone), `/integrer` (snippet builder), `/oembed`."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, jsonify, render_template, request, url_for

from webmap.mapview.view import MapView, parse_view
from webmap.web.common import BadParameters, dataset
from webmap.web.http import cached_response
from webmap.web.render import EMBEDDABLE_PATHS, map_page, page_context, parse_or_400, public_base
from webmap.web.snippet import (
    DEFAULT_HEIGHT,
    HEIGHT_SLOT,
    IFRAME_TITLE,
    MAX_HEIGHT,
    MIN_HEIGHT,
    SRC_SLOT,
    embed_url,
    iframe_snippet,
    oembed_html,
    snippet_template,
)

bp = Blueprint("embed", __name__)
PROVIDER = "Préfecture de la région Hauts-de-France"


@bp.get("/embed")
def embed():
    data = dataset()
    view = parse_or_400(data)
    html = map_page("embed.html", data, view, "embed",
                    frame_heights={"default": DEFAULT_HEIGHT, "min": MIN_HEIGHT, "max": MAX_HEIGHT})
    return cached_response(html, "text/html")


def pixels(raw: str | None) -> int | None:
    """A size in pixels as typed in a URL: ASCII digits only (str.isdigit() also accepts
    « ² », which int() refuses)."""
    if raw is None or not re.fullmatch(r"[0-9]{1,5}", raw):
        return None
    return int(raw)


def _height(raw: str | None) -> int:
    if not raw:
        return DEFAULT_HEIGHT
    value = pixels(raw)
    if value is None or not MIN_HEIGHT <= value <= MAX_HEIGHT:
        raise BadParameters([f"Paramètre « hauteur » : valeur « {raw} » incorrecte. Valeurs "
                             f"acceptées : un nombre de pixels entre {MIN_HEIGHT} et {MAX_HEIGHT}."])
    return value


@bp.get("/integrer")
def integrer():
    data = dataset()
    params = {k: v for k, v in request.args.items() if k != "hauteur"}
    view, errors = parse_view(params, set(data.by_id), data.territories.region.departements)
    if errors:
        raise BadParameters([e.message() for e in errors])
    height = _height(request.args.get("hauteur"))
    query = view.query()
    src = embed_url(public_base(), query, height)
    list_url = public_base() + url_for("pages.projets")
    defaults = MapView()
    # What the page's script needs to rebuild the snippet as the form changes (data island).
    builder = {"template": snippet_template(list_url), "srcSlot": SRC_SLOT, "heightSlot": HEIGHT_SLOT,
               "embedBase": embed_url(public_base(), {}), "previewBase": url_for("embed.embed"),
               "minHeight": MIN_HEIGHT, "maxHeight": MAX_HEIGHT, "defaultHeight": DEFAULT_HEIGHT,
               # [name, default] in the order of MapView.query(): the same address as the server's.
               "params": [["niveau", defaults.niveau], ["indicateur", defaults.indicateur],
                          ["theme", defaults.theme], ["departement", ""], ["legende", "oui"],
                          ["recherche", "oui"]]}
    return render_template("integrer.html", snippet=iframe_snippet(src, list_url, height), height=height,
                           preview=url_for("embed.embed", **query), iframe_title=IFRAME_TITLE,
                           builder=builder, **page_context(data, view),
                           integration_script=public_base() + url_for("static", filename="integration.js"))


@bp.get("/oembed")
def oembed():
    data = dataset()
    fmt = request.args.get("format", "json")
    if fmt != "json":
        return jsonify({"erreur": "Seul le format json est proposé."}), 501
    url = request.args.get("url", "")
    parts = urlsplit(url)
    base = urlsplit(public_base())
    embeddable = {(base.path.rstrip("/") + path).rstrip("/") or "/" for path in EMBEDDABLE_PATHS}
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc \
            or (parts.path.rstrip("/") or "/") not in embeddable:
        return jsonify({"erreur": "Adresse inconnue : donnez l'adresse de la carte, de /embed ou de /projets."}), 404
    view, errors = parse_view(dict(parse_qsl(parts.query)), set(data.by_id),
                                data.territories.region.departements)
    if errors:
        return jsonify({"erreur": " ".join(e.message() for e in errors)}), 404
    width = _bounded(request.args.get("maxwidth"), 800)
    height = _bounded(request.args.get("maxheight"), DEFAULT_HEIGHT)
    query = view.query()
    src = embed_url(public_base(), query, height)
    return jsonify({
        "version": "1.0",
        "type": "rich",
        "provider_name": PROVIDER,
        "provider_url": public_base() + "/",
        "title": IFRAME_TITLE,
        "width": width,
        "height": height,
        "html": oembed_html(src, public_base() + url_for("pages.projets"), height, width),
    })


def _bounded(raw: str | None, default: int) -> int:
    """oEmbed's maxwidth/maxheight: the answer never exceeds them (a bad value is ignored)."""
    value = pixels(raw)
    return min(default, value) if value else default

