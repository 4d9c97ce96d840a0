"""Flask application factory: configuration, data, blueprints, error pages."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from webmap.mapview.dataset import Dataset
from webmap.mapview.symbols import legend_symbol
from webmap.projects import press_kit
from webmap.reference.files import ReferenceFiles
from webmap.reference.territories import Territories
from webmap.web.config import Settings
from webmap.web.holder import DatasetHolder
from webmap.web.http import install_compression
from webmap.web.security import add_nonce, install_security
from webmap.web.site import site_globals


def create_app(settings: Settings | None = None, territories: Territories | None = None) -> Flask:
    """The app for `settings` (default: the environment's); `territories`, the reference
    layers when the caller has already loaded them (tests, export)."""
    settings = settings or Settings.from_env()
    # No Flask static route: webmap.web.assets serves /static (read and gzipped once).
    app = Flask(__name__, template_folder="../templates", static_folder=None)
    app.config["WEBMAP"] = settings
    # An untrusted Host header gets a 400: links and snippets are never built from it.
    app.config["TRUSTED_HOSTS"] = settings.allowed_hosts
    app.json.ensure_ascii = False
    files = ReferenceFiles(settings.data_dir)
    app.extensions["webmap.holder"] = DatasetHolder(
        files, Dataset.load(files, territories), check_seconds=settings.reload_check_seconds,
        settle_seconds=settings.reload_settle_seconds)
    from webmap.web.render import RenderCache

    app.extensions["webmap.render_cache"] = RenderCache()
    install_security(app, settings)
    install_compression(app)
    app.jinja_env.globals["add_nonce"] = add_nonce
    app.jinja_env.globals["symbol"] = legend_symbol
    app.jinja_env.globals["press_kit"] = press_kit  # every page quotes it, error pages too
    app.jinja_env.globals.update(site_globals())

    from webmap.web import assets, coverage_pages, downloads, embed, images, pages, site, territory_pages

    app.register_blueprint(assets.bp)
    app.jinja_env.globals["styles_version"] = assets.styles()[0]
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=assets.static)
    app.register_blueprint(coverage_pages.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(territory_pages.bp)
    app.register_blueprint(images.bp)

    @app.after_request
    def pages_revalidate(response):
        # Pages carry a per-request nonce and the current data: never reused unchecked.
        if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-cache"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = getattr(error, "messages", None) or [_french_reason(error.code)]
        if isinstance(error, SecurityError):
            messages = ["Cette adresse n'est pas celle de la carte (en-tête Host non autorisé : "
                        "voir WEBMAP_PUBLIC_URL et WEBMAP_TRUSTED_HOSTS)."]
        return error_response(error, messages)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # last resort: logged, no traceback shown
        app.logger.exception("erreur inattendue")
        return error_response(InternalServerError(), ["Une erreur inattendue s'est produite."])

    return app


JSON_SUFFIXES = (".json", ".geojson")


def wants_json() -> bool:
    """Data endpoints answer their errors as JSON, pages as HTML."""
    return request.path.endswith(JSON_SUFFIXES) or request.path == "/oembed"


def error_response(error: HTTPException, messages: list[str]):
    code = error.code or 500
    if wants_json():
        response = jsonify({"erreur": " ".join(messages), "code": code})
    else:
        try:
            body = render_template("erreur.html", code=code, messages=messages)
        except Exception:  # the page itself cannot be built (e.g. an untrusted Host)
            body = Markup('<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur</title>'
                          "<p>{}</p></html>").format(" ".join(messages))
        response = make_response(body)
    response.status_code = code
    for name, value in error.get_headers():  # e.g. Allow on a 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _french_reason(code: int | None) -> str:
    return {
        400: "La requête est incorrecte.",
        404: "Cette page n'existe pas.",
        405: "Cette méthode n'est pas acceptée pour cette adresse.",
        413: "Le contenu envoyé est trop volumineux.",
        500: "Une erreur inattendue s'est produite.",
    }.get(code or 500, "La requête n'a pas pu aboutir.")
