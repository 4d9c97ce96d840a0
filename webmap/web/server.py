"""Serve the app with gunicorn (the production WSGI server) from Python."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from webmap.web import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, object]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app()


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> None:
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": 4,
               "accesslog": "-", "preload_app": True}).run()
