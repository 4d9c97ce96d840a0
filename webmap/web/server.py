"""Serve the app with gunicorn (the production WSGI server) from Python."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from webmap.metrics import LEVELS
from webmap.web import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, object]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        app = create_app()
        # Compute the shared geometry and the first pages once, before the workers fork
        # (preload_app): no visitor waits for them, in any worker.
        app.extensions["webmap.holder"].dataset.warm_up()
        warm_pages(app)
        return app


def warm_pages(app) -> None:
    """Render what a visitor reaches first: the map pages of the default metric at every
    level, full page and embed (about 0.2 s each; other views are rendered on demand), and
    the downloads (seconds at national scale, which timed out the first requests under load)."""
    client = app.test_client()
    for level in LEVELS:
        for page in ("/", "/embed"):
            client.get(f"{page}?niveau={level}")
    for download in ("/projets.geojson", "/projets.csv"):
        client.get(download)


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> None:
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": 4,
               "accesslog": "-", "preload_app": True}).run()


def start_background(port: int, env: dict[str, str], timeout: float = 60.0):
    """Start `webmap serve` in a child process and wait until it answers (tests, scripts)."""
    import subprocess
    import sys
    import time
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "webmap", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/sante", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.stderr.read().decode(errors="replace")[-3000:])
            time.sleep(0.2)
