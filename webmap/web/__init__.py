"""Flask application factory: configuration, data, blueprints, error pages."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from webmap.reference.files import ReferenceFiles
from webmap.web.config import Settings
from webmap.web.holder import DatasetHolder
from webmap.web.http import install_compression
from webmap.web.security import add_nonce, install_security


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    # No Flask static route: webmap.web.assets serves /static (read and gzipped once).
    app = Flask(__name__, template_folder="../templates", static_folder=None)
    app.config["WEBMAP"] = settings
    app.json.ensure_ascii = False
    app.extensions["webmap.holder"] = DatasetHolder(ReferenceFiles(settings.data_dir))
    install_security(app, settings)
    install_compression(app)
    app.jinja_env.globals["add_nonce"] = add_nonce

    from webmap.web import assets, coverage_pages, downloads, embed, pages

    app.register_blueprint(assets.bp)
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=assets.static)
    app.register_blueprint(coverage_pages.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(embed.bp)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = getattr(error, "messages", None) or [_french_reason(error.code)]
        return render_template("erreur.html", code=error.code, messages=messages), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):  # pragma: no cover - last resort, no traceback shown
        app.logger.exception("erreur inattendue")
        return render_template("erreur.html", code=500,
                               messages=["Une erreur inattendue s'est produite."]), 500

    return app


def _french_reason(code: int | None) -> str:
    return {
        400: "La requête est incorrecte.",
        404: "Cette page n'existe pas.",
        405: "Cette méthode n'est pas acceptée pour cette adresse.",
        413: "Le contenu envoyé est trop volumineux.",
    }.get(code or 500, "La requête n'a pas pu aboutir.")
