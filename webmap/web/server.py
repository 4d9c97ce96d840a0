"""Serve the app with gunicorn (the production WSGI server) from Python."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from gunicorn.app.base import BaseApplication

from webmap.analysis.metrics import LEVELS
from webmap.web import create_app
from webmap.web.config import Settings, parse_number


@dataclass(frozen=True)
class ServerOptions:
    """gunicorn's settings: `webmap serve` options, else WEBMAP_<NAME> variables, else these.

    Slow clients hold a gunicorn thread while they send their headers: in production put a
    buffering reverse proxy in front (nginx, docs/securite.md), which hands gunicorn only
    complete requests.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    timeout: int = 30  # seconds a worker may spend on one request before it is restarted
    keepalive: int = 2  # seconds an idle connection is kept open

    LIMITS = {"port": (1, 65535), "workers": (1, 64), "threads": (1, 256),
              "timeout": (1, 3600), "keepalive": (0, 300)}

    @classmethod
    def resolve(cls, given: dict[str, object], environ=None) -> ServerOptions:
        """Options given on the command line win over the environment; values are checked."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for item in fields(cls):
            variable = f"WEBMAP_{item.name.upper()}"
            raw = given.get(item.name)
            source = f"--{item.name}"
            if raw is None and env.get(variable):
                raw, source = env[variable], variable
            if raw is None:
                continue
            if item.name == "host":
                values["host"] = str(raw)
                continue
            values[item.name] = parse_number(raw, source, *cls.LIMITS[item.name], kind=int)
        return cls(**values)

    def gunicorn(self) -> dict[str, object]:
        return {"bind": f"{self.host}:{self.port}", "workers": self.workers,
                "threads": self.threads, "timeout": self.timeout, "keepalive": self.keepalive,
                "accesslog": "-", "preload_app": True}


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, object], app):
        self.options = options
        self.app = app
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.app


def prepared_app(settings: Settings | None = None, base_url: str = "http://localhost"):
    """The app with its data loaded and checked, and the shared geometry and first pages
    computed once, before the workers fork: no visitor waits for them, in any worker. Bad
    data or settings fail here, with a French message, before gunicorn starts. `base_url`:
    the address visitors use (the pages name it in their oEmbed link, so it is part of what
    is cached)."""
    app = create_app(settings)
    holder = app.extensions["webmap.holder"]
    holder.dataset.warm_up()
    holder.watch = False  # the master process serves nothing: only workers watch the file
    warm_pages(app, base_url)
    holder.watch = True
    return app


def warm_pages(app, base_url: str = "http://localhost") -> None:
    """Render what a visitor reaches first: the map pages of the default metric at every
    level, full page and embed (about 0.2 s each; other views are rendered on demand), as
    asked at `base_url`, and the downloads (seconds at national scale, which timed out the
    first requests under load)."""
    client = app.test_client()
    for level in LEVELS:
        for page in ("/", "/embed"):
            client.get(f"{page}?niveau={level}", base_url=base_url)
    for download in ("/projets.geojson", "/projets.csv", "/projets.xlsx"):
        client.get(download)


def serve(options: ServerOptions, settings: Settings | None = None) -> None:
    # Pages are warmed as asked at the bound address (WEBMAP_PUBLIC_URL, when set, names
    # them whatever the host): the national map page took 0.25-0.3 s to render again per
    # worker for its first visitor, who came by another host name than the warm-up's.
    host = f"[{options.host}]" if ":" in options.host else options.host
    _Gunicorn(options.gunicorn(), prepared_app(settings, f"http://{host}:{options.port}")).run()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (tests, benchmarks, scripts)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
                raise RuntimeError(process.stderr.read().decode(errors="replace")[-3000:]) from None
            time.sleep(0.2)
