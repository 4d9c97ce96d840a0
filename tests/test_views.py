"""Views as data: every view's figures, served as files for switching in the browser, are
the server's own computation, in the order of the polygons the browser draws."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import make_app, page_and_map_script

from webmap.analysis.classify import classify
from webmap.analysis.coverage import commune_coverage
from webmap.analysis.metrics import LEVELS, METRIC_BY_SLUG, compute_metrics
from webmap.mapview.image import color_for
from webmap.mapview.polygon_codec import decode_polygons
from webmap.mapview.views import all_views, theme_keys
from webmap.projects.schema import THEMES


@pytest.fixture(scope="module")
def client(files):
    return make_app().test_client()


def polygon_codes(client, level: str) -> list[str]:
    """The codes of a level's polygons in the order the browser reads them (its files)."""
    if level != "commune":
        return decode_polygons(client.get(f"/donnees/geo/{level}.bin").data).properties["code"]
    island = json.loads(re.search(r'id="wm-data">(.*?)</script>',
                                  client.get("/").get_data(as_text=True), re.S).group(1))
    codes: list[str] = []
    for part in sorted(island["levels"]["commune"]["parts"], key=lambda p: p["offset"]):
        assert part["offset"] == len(codes)
        codes += decode_polygons(client.get(part["url"]).data).properties["code"]
    return codes


def test_theme_selections_are_every_combination():
    keys = theme_keys()
    assert keys[0] == "tous" and len(keys) == 2 ** len(THEMES) - 1
    assert len(all_views()) == len(LEVELS) * len(METRIC_BY_SLUG) * len(keys)


@pytest.mark.slow
def test_every_views_figures_are_the_servers(client, territories):
    data = client.application.extensions["webmap.holder"].dataset
    codes = {level: polygon_codes(client, level) for level in LEVELS}
    coverage = {}  # the costly part, computed once per theme selection
    for view in all_views():
        served = client.get(f"/donnees/vues/{view.niveau}/{view.indicateur}/{view.theme}.json").get_json()
        if view.theme not in coverage:
            coverage[view.theme] = commune_coverage(data.projects, territories, view.theme_filter)
        table = compute_metrics(data.projects, territories, view.niveau, view.theme_filter,
                                coverage=coverage[view.theme]).table
        expected = table[view.indicateur]
        values = np.array([np.nan if v is None else v for v in served["choropleth"]["values"]], dtype=float)
        assert len(values) == len(codes[view.niveau]) == len(expected), view
        want = expected.reindex(codes[view.niveau]).to_numpy(dtype=float)
        assert np.array_equal(np.isnan(values), np.isnan(want)), view
        assert np.allclose(values[~np.isnan(values)], want[~np.isnan(want)], rtol=0, atol=5e-4), view
        metric = METRIC_BY_SLUG[view.indicateur]
        legend, colours = classify(expected, served["legend"]["title"], metric.unit, metric.decimals)
        classes = served["choropleth"]["classes"]
        assert [c["color"] for c in classes] == [c.color for c in legend.classes], view
        assert np.allclose([c["upper"] for c in classes], [c.upper for c in legend.classes], rtol=0, atol=5e-4)
        # Each polygon gets, by the browser's rule (WebMap.colorFor), its class's colour.
        drawn = [color_for(v, classes) for v in served["choropleth"]["values"]]
        assert drawn == colours.reindex(codes[view.niveau]).tolist(), view
        assert [c["label"] for c in served["legend"]["classes"]] == [c.label for c in legend.classes]
        assert served["legend"]["noData"] == legend.no_data


@pytest.mark.parametrize("query", ["", "?niveau=commune&indicateur=distance&theme=droits",
                                   "?niveau=epci&theme=alimentation,insertion&departement=62"])
def test_the_first_view_is_in_the_page_as_in_its_file(client, query):
    """The page carries its first view's figures (no request before the first paint), the
    same as the file the browser would fetch for it."""
    for path in ("/", "/embed"):
        page = client.get(path + query).get_data(as_text=True)
        island = json.loads(re.search(r'id="wm-data">(.*?)</script>', page, re.S).group(1))
        view = island["view"]
        served = client.get(f"/donnees/vues/{view['niveau']}/{view['indicateur']}/{view['theme']}.json")
        assert island["viewData"] == served.get_json()
        assert f"<h{2 if path == '/embed' else 3}>{island['viewData']['legend']['title']}</h" in page


def test_unknown_view_files_are_404(client):
    for path in ("region/projets/tous", "commune/autre/tous", "commune/projets/culture",
                 "commune/projets/droits,alimentation", "commune/projets/alimentation,droits,insertion"):
        assert client.get(f"/donnees/vues/{path}.json").status_code == 404, path


def test_map_pages_are_cached_whole_and_the_map_script_is_the_same_for_every_view(client):
    first = client.get("/?niveau=commune")
    again = client.get("/?niveau=commune", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    scripts = {re.search(r'<script src="(/carte/page\.js[^"]*)"', client.get("/" + q).get_data(as_text=True)).group(1)
               for q in ("", "?niveau=commune", "?theme=droits&indicateur=distance")}
    assert len(scripts) == 1
    script = client.get(scripts.pop())
    assert script.status_code == 200 and "max-age=86400" in script.headers["Cache-Control"]
    assert "WebMap.start(" in script.get_data(as_text=True)


def test_cited_zones_blanches_not_located_are_named_not_painted(client):
    """« les zones du département de la Somme non couvertes » (Secours populaire) locates no
    zone: the layer does not paint the Somme, and says in words what it leaves out; the
    ex-canton of En Avant Simone is painted."""
    painted = decode_polygons(client.get("/donnees/zones/zones-blanches.bin").data).properties["code"]
    assert painted == ["hdf-2021-38"]
    page = client.get("/").get_data(as_text=True)
    note = re.search(r"<p class=\"wm-hint\" data-unlocated-zone>(.*?)</p>", page, re.S).group(1)
    assert "non localisées, non dessinées" in note and "Somme" in note
    assert "Couverture de zones blanches par le Secours Populaire" in note
    # The layer control keeps the layer's short name (a longer one covered the map).
    script = page_and_map_script(client, "/")[len(page):]
    assert "zones-blanches" in script and "non localis" not in script and "Somme" not in script
