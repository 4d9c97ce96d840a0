"""Flask application factory."""

from __future__ import annotations

from flask import Flask

from webmap.web.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config["WEBMAP"] = settings or Settings.from_env()
    app.json.ensure_ascii = False

    from webmap.web import pages

    app.register_blueprint(pages.bp)
    return app
