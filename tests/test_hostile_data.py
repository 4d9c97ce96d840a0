"""Any text in any free-text field of the projects comes out inert and verbatim: on every
page, card and download, and in the static export (issue 12). Property-based (hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from conftest import canonical_rows, data_dir_with, write_projects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webmap.mapview.dataset import Dataset
from webmap.web import create_app
from webmap.web.config import Settings

PAYLOADS = [
    "{{ 7*7 }}", "{% if 1 %}x{% endif %}", "{#", "#}", "{%", "${7*7}", "{{ lipsum.__globals__ }}",
    "<script>alert(1)</script>", "</script><script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    "<!--", "]]>", "javascript:alert(1)", "'", '"', "\\", "&amp;", "&#60;", "\u2028", "\u2029",
    "=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\t", "\x01", "\x1b[31m", "\x7f",
    "\u202e", "\u2066", "\u200b", "\ufeff", "/__webmap_root_", " nonce=\"x\"", "%s", "%(x)s", "\ud7ff",
]
FIELDS = ("titre", "porteur", "description", "lieux_cites", "source", "note")
PLACED, REGIONAL = "hdf-2021-13", "hdf-2021-01"  # a marker on the map, a region-wide project
hostile = st.lists(st.sampled_from(PAYLOADS) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=6),
    min_size=1, max_size=5).map("".join).filter(lambda t: t.strip() != "")


class Markup(HTMLParser):
    """The elements and attributes of a page, and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))

    def handle_data(self, data):
        self.text.append(data)


def island(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="wm-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def with_texts(texts: dict[str, str]) -> list[dict[str, str]]:
    rows = canonical_rows()
    for row in rows:
        if row["id"] in (PLACED, REGIONAL):
            row.update(texts)
    return rows


@pytest.fixture(scope="module")
def app(tmp_path_factory, territories):
    data_dir = data_dir_with(tmp_path_factory.mktemp("hostile"))
    app = create_app(Settings(data_dir=data_dir, tiles_url="off"), territories)
    baseline = {path: Markup(app.test_client().get(path).get_data(as_text=True)).tags
                for path in PAGES}
    return app, data_dir, baseline


PAGES = ("/", "/embed", "/projets", f"/donnees/fiches/{PLACED}.html", f"/donnees/fiches/{REGIONAL}.html",
         f"/projets/{PLACED}", f"/projets/{REGIONAL}")


def load(app, data_dir, rows) -> None:
    """Write the file and load it as the server does (validated by webmap check's rules)."""
    write_projects(data_dir / "projets.csv", rows)
    holder = app.extensions["webmap.holder"]
    holder.dataset = Dataset.load(holder.files, holder.dataset.territories)


def in_download(text: str) -> str:
    """The CSV download prefixes formula-like cells with ' (spreadsheet injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def check_outputs(get, texts: dict[str, str], baseline) -> None:
    for path in PAGES:
        response = get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        markup = Markup(html)
        # Inert: exactly the elements and attributes of the page with ordinary texts.
        assert markup.tags == baseline[path], path
        if path.startswith("/donnees/fiches/"):
            assert texts["titre"] in markup.text, path  # verbatim, as one text node
    data = island(get("/").get_data(as_text=True))
    titles = {m["id"]: m["title"] for ms in data["markers"].values() for m in ms}
    assert titles[PLACED] == texts["titre"]
    listing = Markup(get("/projets").get_data(as_text=True)).text
    assert texts["titre"] in listing
    download = get("/projets.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(download))}
    features = {f["properties"]["id"]: f["properties"] for f in get("/projets.geojson").get_json()["features"]}
    for field, text in texts.items():
        assert rows[PLACED][field] == in_download(text), field
        if field in features[PLACED]:
            assert features[PLACED][field] == text, field


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(texts=st.fixed_dictionaries({f: hostile for f in FIELDS}))
def test_any_text_is_inert_and_verbatim_on_every_page_and_download(app, texts):
    app, data_dir, baseline = app
    load(app, data_dir, with_texts(texts))
    check_outputs(app.test_client().get, texts, baseline)


def exported(app, data_dir, rows, out):
    """Export `rows`; a getter that reads the copy's files like the client reads the app."""
    from webmap.web.export import export_site

    load(app, data_dir, rows)
    export_site(out, Settings(data_dir=data_dir, tiles_url="off"),
                territories=app.extensions["webmap.holder"].dataset.territories)
    return reader(out)


def reader(out):
    """A getter of a static copy's files, answering like the app's test client."""
    files = {"/": "index.html", "/embed": "embed/index.html", "/projets": "projets/index.html",
             "/projets.csv": "projets.csv", "/projets.geojson": "projets.geojson",
             **{p: p.lstrip("/") for p in PAGES if p.startswith("/donnees")},
             **{p: p.lstrip("/") + "/index.html" for p in PAGES if p.startswith("/projets/")}}

    class FileResponse:
        status_code = 200

        def __init__(self, path):
            self.body = (out / files[path]).read_bytes()

        def get_data(self, as_text=False):
            return self.body.decode() if as_text else self.body

        def get_json(self):
            return json.loads(self.body)

    return FileResponse


@pytest.mark.slow
@pytest.mark.xdist_group("export")  # one worker makes the shared static copy
def test_every_payload_is_inert_in_the_static_export(app, tmp_path, exported_site):
    """The export (files, relative links, hashed CSP) with all the payloads at once, against
    the copy of the shipped projects (the canonical rows) as the baseline."""
    app, data_dir, baseline = app
    texts = {field: f"{field} " + " ".join(PAYLOADS) for field in FIELDS}
    check_outputs(app.test_client().get, texts, baseline) if load(app, data_dir, with_texts(texts)) is None else None
    ordinary = reader(exported_site[0])
    export_baseline = {path: Markup(ordinary(path).get_data(as_text=True)).tags for path in PAGES}
    check_outputs(exported(app, data_dir, with_texts(texts), tmp_path / "hostile"), texts, export_baseline)
