"""One source per vocabulary: themes, levels, metrics, zones, yes/no words, French numbers,
colours, marker symbols, press-kit figures. Each is declared once (docs/architecture.md);
these tests check that every place derived from it follows, and that no copy of its values
is written anywhere else."""

from __future__ import annotations

import html as html_module
import json
import re
from pathlib import Path

import pytest
from conftest import REPO, make_app, page_and_map_script, run_cli

from webmap.analysis.classify import NO_DATA_COLOR, PALETTE, ZERO_COLOR
from webmap.analysis.french import format_number
from webmap.analysis.metrics import LEVEL_RECORDS, METRIC_RECORDS
from webmap.mapview.symbols import KINDS, legend_symbol, symbol_svg
from webmap.mapview.view import parse_view
from webmap.mapview.views import theme_keys
from webmap.mapview.zones import ZONES
from webmap.projects import press_kit
from webmap.projects.schema import BOOLEAN_WORDS, THEMES, parse_boolean
from webmap.web.config import ConfigError, Settings

PACKAGE = REPO / "webmap"
VECTORS = json.loads((REPO / "tests" / "vectors" / "numbers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client(files):
    return make_app().test_client()


def sources(*patterns: str) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for pattern in patterns for p in sorted(PACKAGE.rglob(pattern))}


def shown(text: str, page: str) -> bool:
    """`text` in the page, as HTML text or inside a script (JSON, non-ASCII escaped)."""
    return text in page or json.dumps(text)[1:-1] in page


def options_of(html: str, select_id: str) -> list[tuple[str, str]]:
    block = re.search(rf'<select[^>]*\bid="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block)
    return [(value, html_module.unescape(text)) for value, text in options]


# French numbers: one Python formatter, one JavaScript formatter, the same vectors.

@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v['value']}/{v['decimals']}")
def test_python_formats_the_shared_number_vectors(vector):
    assert format_number(vector["value"], vector["decimals"]) == vector["text"]


def test_no_other_number_formatter_in_the_package():
    for path, text in sources("*.py").items():
        if path.name != "french.py":
            assert '.replace(",", "\\u202f")' not in text, path
            assert ":,." not in text and ":,}" not in text, path
    for path, text in sources("*.js").items():
        if path.name != "format.js":
            assert "toFixed" not in text and "\\u202f" not in text, path


# Themes and colours.

def test_theme_slugs_and_colours_are_written_only_in_their_source():
    """No theme slug (as a quoted word) or theme/class colour outside schema.py and classify.py."""
    colours = {t.couleur.lower() for t in THEMES} | {c.lower() for c in (*PALETTE, ZERO_COLOR, NO_DATA_COLOR)}
    slugs = [t.slug for t in THEMES]
    for path, text in sources("*.py", "*.js", "*.css", "*.html").items():
        if path.name in ("schema.py", "classify.py"):
            continue
        found = {c for c in colours if c in text.lower()}
        assert not found, f"{path.relative_to(REPO)} writes the colours {found}"
        quoted = [s for s in slugs if re.search(rf"[\"']{s}[\"',]", text)]
        assert not quoted, f"{path.relative_to(REPO)} writes the theme slugs {quoted}"


def test_palette_stylesheet_follows_the_themes_and_the_classes(client):
    """The palette, written from the vocabulary, is in the one style sheet every page links."""
    sheet = re.search(r'<link rel="stylesheet" href="(/static/styles-[0-9a-f]+\.css)">',
                      client.get("/projets").get_data(as_text=True)).group(1)
    css = client.get(sheet).get_data(as_text=True)
    for theme in THEMES:
        assert f".wm-swatch-{theme.slug} {{ background: {theme.couleur}; }}" in css
    for i, colour in enumerate(PALETTE):
        assert f".wm-fill-{i} {{ background: {colour}; }}" in css
    assert f".wm-fill-zero {{ background: {ZERO_COLOR}; }}" in css
    assert f".wm-fill-nodata {{ background: {NO_DATA_COLOR}; }}" in css
    for page in ("/", "/embed", "/projets"):
        assert f'href="{sheet}"' in client.get(page).get_data(as_text=True), page


def test_every_theme_reaches_pages_parameters_cli_and_export(client):
    from webmap.web.export import PAGES, data_files

    index = page_and_map_script(client, "/")
    assert options_of(index, "theme")[1:] == [(t.slug, t.court) for t in THEMES]
    projets = client.get("/projets").get_data(as_text=True)
    for theme in THEMES:
        assert shown(f"{theme.court} ({theme.attendu})", index)  # its layer in the layer control
        assert parse_view({"theme": theme.slug}, set())[1] == []
        assert f'value="{theme.slug}"' in projets
        assert client.get(f"/couverture/{theme.slug}").status_code == 200
        assert f"/couverture/{theme.slug}" in PAGES
        assert f"/donnees/couverture/{theme.slug}.json" in data_files([], [])
        assert run_cli("gaps", "--theme", theme.slug, "--format", "json").returncode == 0
    assert run_cli("gaps", "--theme", "autre").returncode != 0


# Levels and metrics.

def test_every_level_and_metric_reaches_the_selectors_and_the_legends(client):
    from webmap.web.export import data_files

    index = client.get("/").get_data(as_text=True)
    assert [v for v, _ in options_of(index, "niveau")] == [r.slug for r in LEVEL_RECORDS]
    assert options_of(index, "indicateur") == [(r.slug, r.label) for r in METRIC_RECORDS]
    integrer = client.get("/integrer").get_data(as_text=True)
    assert [v for v, _ in options_of(integrer, "i-niveau")] == [r.slug for r in LEVEL_RECORDS]
    assert [v for v, _ in options_of(integrer, "i-indicateur")] == [r.slug for r in METRIC_RECORDS]
    for level in LEVEL_RECORDS:
        for metric in METRIC_RECORDS:
            page = client.get(f"/embed?niveau={level.slug}&indicateur={metric.slug}").get_data(as_text=True)
            assert f"<h2>{html_module.escape(metric.label, quote=False)} par {level.label}</h2>" in page
            island = json.loads(re.search(r'<script type="application/json" id="wm-data">(.*?)</script>',
                                          page, re.S).group(1))
            assert island["viewData"]["choropleth"]["decimals"] == metric.decimals
            assert island["viewData"]["choropleth"]["unit"] == metric.unit
            # Every view's figures, for switching in the browser: served for one theme here
            # (test_views compares every combination with the server), exported for all.
            figures = client.get(f"/donnees/vues/{level.slug}/{metric.slug}/{theme_keys()[-1]}.json").get_json()
            assert figures["choropleth"]["decimals"] == metric.decimals
            assert figures["choropleth"]["unit"] == metric.unit
            for theme in theme_keys():
                assert f"/donnees/vues/{level.slug}/{metric.slug}/{theme}.json" in data_files([], [])
        assert client.get(f"/couverture.csv?par={level.slug}").status_code == 200


# Zones.

def test_every_zone_is_served_exported_and_drawn(client):
    from webmap.web.export import data_files

    page = page_and_map_script(client, "/")
    for zone in ZONES:
        response = client.get(f"/donnees/zones/{zone.slug}.bin")
        assert response.status_code == 200 and response.data[:4] == b"WMP1"
        assert f"/donnees/zones/{zone.slug}.bin" in data_files([], [])
        assert re.search(rf'"key": ?"{zone.slug}"', page) and shown(zone.label, page)


# Yes/no words: one table for files, URLs and settings.

def test_one_table_of_yes_no_words_for_files_urls_and_settings():
    for word, meaning in BOOLEAN_WORDS.items():
        assert parse_boolean(word.upper()) is meaning
        if word:
            view, errors = parse_view({"legende": word}, set())
            assert errors == [] and view.legende is meaning
        assert Settings.from_env({"WEBMAP_HSTS": word}).hsts is meaning
    assert parse_view({"legende": "peut-être"}, set())[1][0].accepted == "oui ou non (ou true/false, 1/0)"
    with pytest.raises(ConfigError, match="WEBMAP_HSTS : « peut-être » incorrect"):
        Settings.from_env({"WEBMAP_HSTS": "peut-être"})


# Marker symbols: the legends and the markers draw the same SVG.

def test_markers_and_legends_share_their_symbols(client):
    page = client.get("/").get_data(as_text=True)
    island = json.loads(re.search(r'<script type="application/json" id="wm-data">(.*?)</script>', page, re.S).group(1))
    assert set(island["icons"]) == {f"{kind} {t.slug}" for kind in KINDS for t in THEMES}
    for theme in THEMES:
        legend = str(legend_symbol("precise", theme.couleur, theme.lettre))
        assert legend in page
        body = re.search(r"<svg[^>]*>(.*)</svg>", legend).group(1)
        assert island["icons"][f"precise {theme.slug}"] == str(symbol_svg("precise", theme.couleur,
                                                                          letter=theme.lettre))
        assert body in island["icons"][f"precise {theme.slug}"]
        # The theme is not told by colour alone: its letter is drawn in each of its markers.
        assert all(f">{theme.lettre}</text>" in island["icons"][f"{kind} {theme.slug}"] for kind in KINDS)
    assert len({t.lettre for t in THEMES}) == len(THEMES)
    # The browser draws a marker with the symbol of its kind and theme (webmap.js W.icon).
    used = {f'{m["kind"]} {theme}' for theme, markers in island["markers"].items() for m in markers}
    assert used <= set(island["icons"])
    with pytest.raises(ValueError):
        symbol_svg("precise", '"><script>')
    with pytest.raises(ValueError):
        symbol_svg("precise", "#000000", letter="<b>")


# Press-kit figures.

def test_press_kit_figures_are_quoted_from_one_module(client):
    assert press_kit.PROJECTS == sum(t.attendu for t in THEMES) == 54
    for page in ("/", "/projets", "/couverture"):
        html = client.get(page).get_data(as_text=True)
        assert f"Les {press_kit.PROJECTS} lauréats" in html, page
    note = client.get("/?indicateur=financement").get_data(as_text=True)
    assert f"({press_kit.TOTAL_FUNDING_LABEL} pour {press_kit.PROJECTS} projets)" in note
    for path, text in sources("*.py", "*.html", "*.js").items():
        if path.name != "press_kit.py":
            assert "6,6 M€" not in text and not re.search(r"\b287\b", text), path


# Tools: one way to start Chromium and to find a free port.

def test_tests_benchmarks_and_scripts_share_the_chromium_settings():
    for folder in ("tests", "bench", "scripts"):
        for path in (REPO / folder).rglob("*.py"):
            if path.name == "test_vocabulary.py":
                continue
            text = path.read_text(encoding="utf-8")
            assert "--disable-background-networking" not in text, path
            assert 'executable_path="/usr/bin/chromium"' not in text, path
            assert "sock.bind((" not in text, path


# The search's normalization: the gazetteer's, shared with the browser (tests/js/search.test.js).

def test_python_normalizes_the_shared_search_vectors():
    from webmap.places.gazetteer import normalize

    vectors = json.loads((REPO / "tests" / "vectors" / "normalize.json").read_text(encoding="utf-8"))
    assert len(vectors) >= 30
    for vector in vectors:
        assert normalize(vector["text"]) == vector["normalized"], vector["text"]
