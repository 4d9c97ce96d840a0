"""Shared fixtures: the shipped reference data, a real gunicorn server, a real Chromium."""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from webmap.reference.files import ReferenceFiles
from webmap.web.chromium import CHROMIUM, CHROMIUM_ARGS, launch_chromium  # noqa: F401 (tests import them)
from webmap.web.server import free_port

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


def pytest_collection_finish(session):
    """With --dist loadgroup, a worker's grouped tests carry "@group" in their node id: that
    is how pytest-xdist keeps them on one worker. If a pytest/xdist pairing stops doing it
    (pytest-xdist issue 1386), the WordPress tests would be set up on every worker: stop."""
    if getattr(session.config.option, "loadgroup", False):
        lost = [item.nodeid for item in session.items
                if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
        if lost:
            raise pytest.UsageError(f"pytest-xdist did not group {len(lost)} tests, e.g. {lost[0]}")


@pytest.fixture(scope="session")
def files() -> ReferenceFiles:
    return ReferenceFiles(DATA)


def _signature(root: Path) -> tuple:
    """What identifies a data folder's reference files: their real paths, sizes and times,
    and its region (region.json's text, none for the shipped region)."""
    from webmap.reference.files import LAYERS, REGION_FILE

    paths = [root / f"{name}.geojson" for name in LAYERS] + [root / "hors_region.csv"]
    region = root / REGION_FILE
    return tuple((str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else (str(p),)
                 for p in paths) + (("region", region.read_bytes() if region.is_file() else b""),)


@pytest.fixture(autouse=True, scope="session")
def reference_read_once():
    """Many tests (CLI in-process, apps on copies of the data) read the same reference files:
    each distinct set is parsed once per run. A missing or changed file is still read (and
    fails) as it would be."""
    from webmap.places.gazetteer import Gazetteer
    from webmap.reference.territories import Territories

    load_territories, load_gazetteer = Territories.load.__func__, Gazetteer.load.__func__
    territories_seen: dict[tuple, Territories] = {}
    gazetteers_seen: dict[tuple, Gazetteer] = {}

    def territories_once(cls, files):
        key = _signature(files.root)
        if key not in territories_seen or any(len(k) == 1 for k in key):
            territories_seen[key] = load_territories(cls, files)
        return territories_seen[key]

    def gazetteer_once(cls, files, territories=None):
        key = (_signature(files.root), id(territories))
        if key not in gazetteers_seen:
            gazetteers_seen[key] = load_gazetteer(cls, files, territories)
        return gazetteers_seen[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Territories, "load", classmethod(territories_once))
        patch.setattr(Gazetteer, "load", classmethod(gazetteer_once))
        yield


@functools.cache
def shared_territories():
    """The shipped reference layers, read once for the whole run (test folders link them)."""
    from webmap.reference.territories import Territories

    return Territories.load(ReferenceFiles(DATA))


@pytest.fixture(scope="session")
def territories():
    return shared_territories()


def make_app(data_dir: Path = DATA, **settings):
    """The app on `data_dir` (tiles off unless given), with the shared reference layers."""
    from webmap.web import create_app
    from webmap.web.config import Settings

    return create_app(Settings(data_dir=data_dir, **{"tiles_url": "off", **settings}), shared_territories())


@pytest.fixture(scope="session")
def gazetteer(files, territories):
    from webmap.places.gazetteer import Gazetteer

    return Gazetteer.load(files, territories)


def start_server(extra_env: dict[str, str] | None = None, port: int | None = None):
    """Start `webmap serve` (gunicorn) on 127.0.0.1 with tiles off; returns (process, base URL)."""
    from webmap.web.server import start_background

    env = {**os.environ, "WEBMAP_TILES_URL": "off", "WEBMAP_DATA_DIR": str(DATA), **(extra_env or {})}
    return start_background(port or free_port(), env)


# The origin of a test page allowed to frame the shared server (frame-ancestors).
ALLOWED_HOST_PORT = free_port()


@pytest.fixture(scope="session")
def live_server():
    process, base = start_server({"WEBMAP_FRAME_ANCESTORS": f"http://127.0.0.1:{ALLOWED_HOST_PORT}"})
    yield base
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


class PageWatch:
    """Console errors, requests leaving the app's origin and failed responses (4xx, 5xx),
    collected during a test."""

    def __init__(self, page, allowed_origins: list[str]):
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.failed_responses: list[str] = []
        self.allowed = allowed_origins
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda err: self.console_errors.append(str(err)))
        page.on("request", self._on_request)
        page.on("response", lambda r: r.status >= 400 and self.failed_responses.append(f"{r.status} {r.url}"))

    def _on_request(self, request) -> None:
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        if not any(url.startswith(origin + "/") or url == origin for origin in self.allowed):
            self.foreign_requests.append(url)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.watch = PageWatch(page, [live_server])
    yield page
    context.close()


def canonical_rows() -> list[dict[str, str]]:
    """The shipped projects as canonical CSV rows (copies, free to edit)."""
    import csv

    with open(DATA / "projets.csv", encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def write_projects(path: Path, rows: list[dict[str, str]]) -> Path:
    from webmap.projects.csvio import write_csv_text
    from webmap.projects.schema import CANONICAL_COLUMNS

    path.write_text(write_csv_text(CANONICAL_COLUMNS, rows), encoding="utf-8")
    return path


def data_dir_with(root: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """A data folder: the shipped reference layers (linked) and a projects file of `rows`."""
    root.mkdir(parents=True, exist_ok=True)
    for path in DATA.iterdir():
        if path.is_file() and path.name != "projets.csv":
            (root / path.name).symlink_to(path)
    write_projects(root / "projets.csv", canonical_rows() if rows is None else rows)
    return root


class CliResult:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_cli(*args: str) -> CliResult:
    """`webmap ARGS` in this process (as `python -m webmap` would run it, without the
    interpreter start-up): exit code, stdout and stderr."""
    import contextlib
    import io

    from webmap.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as done:  # argparse's usage errors
            code = done.code if isinstance(done.code, int) else 1
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def exported_site(tmp_path_factory, files, territories):
    """One static export of the shipped data (tiles off), shared by the tests that read it."""
    from webmap.web.config import Settings
    from webmap.web.export import export_site

    out = tmp_path_factory.mktemp("export") / "site"
    written = export_site(out, Settings(data_dir=files.root, tiles_url="off"),
                          territories=territories)
    return out, written


# The title of a marker's project, from the page's data island (a marker's accessible name
# adds its theme and kind to it).
MARKER_TITLE = "id => Object.values(WebMap.data().markers).flat().find(m => m.id === id).title"


def without_footer_links(html: str) -> str:
    """The page without the footer's links to the State's sites (the DSFR footer asks for
    them): links to follow, not addresses the page loads."""
    from webmap.web.site import OFFICIAL_SITES

    for host in OFFICIAL_SITES:
        html = html.replace(f'href="https://{host}"', "")
    return html


@contextlib.contextmanager
def static_server(folder: Path):
    """A static copy served as a static host would (`python -m http.server`); yields its
    base URL."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    """Until something listens on 127.0.0.1:port."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def page_and_map_script(client, url: str) -> str:
    """A map page and the map script it loads (the same for every view, served apart), as
    one text: what the browser runs for this address."""
    import re

    html = client.get(url).get_data(as_text=True)
    script = re.search(r'<script src="(/carte/[a-z]+\.js[^"]*)"></script>', html).group(1)
    return html + "\n" + client.get(script.replace("&amp;", "&")).get_data(as_text=True)
