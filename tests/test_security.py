"""Security regressions: each test replays one finding of the security review (issue 12)."""

from __future__ import annotations

import pytest
from conftest import canonical_rows, data_dir_with

from webmap.web import create_app
from webmap.web.config import Settings

HOSTILE_TITLES = {
    "hdf-2021-06": "Épicerie {{ 7*7 }}",
    "hdf-2021-20": "Bus {# pas fermé",
    "hdf-2021-21": "Aide {% if 1 %}oui{% endif %} fin",
    "hdf-2021-22": "{{ lipsum.__globals__.os.popen('id').read() }}",
}


def client_for(data_dir, **settings):
    return create_app(Settings(data_dir=data_dir, tiles_url="off", **settings)).test_client()


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    rows = canonical_rows()
    for row in rows:
        row["titre"] = HOSTILE_TITLES.get(row["id"], row["titre"])
    return client_for(data_dir_with(tmp_path_factory.mktemp("hostile"), rows))


@pytest.mark.parametrize("path", ["/", "/embed", "/?niveau=commune", "/embed?niveau=epci",
                                  "/projets", "/donnees/fiches/hdf-2021-06.html"])
def test_titles_with_template_syntax_stay_text(hostile_client, path):
    response = hostile_client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Épicerie 49" not in body
    assert "uid=" not in body
    if path != "/donnees/fiches/hdf-2021-06.html":
        for title in HOSTILE_TITLES.values():
            # as JSON in the data island (page) or as escaped HTML (list)
            assert title.replace("'", "&#39;") in body or title.replace("'", "\\u0027") in body


def test_no_project_text_reaches_a_folium_template(hostile_client):
    """branca compiles each element's output as template source: project texts must not
    be in it at all (they travel in the JSON data island)."""
    from webmap.mapview.build import Tiles, Urls, build_map, render_parts
    from webmap.mapview.view import MapView

    data = hostile_client.application.extensions["webmap.holder"].dataset
    urls = Urls(*(["/x"] * 5), *([lambda key: f"/x/{key}"] * 6))
    for level in ("departement", "commune"):
        built = build_map(data, MapView(niveau=level, projet="hdf-2021-06"), urls, Tiles(None, ""))
        parts = render_parts(built)
        folium_text = parts["header"] + parts["html"] + parts["script"]
        for project in data.projects:
            for text in (project.titre, project.description, project.porteur):
                assert not text or text not in folium_text
        assert "Épicerie {{ 7*7 }}" in str(parts["data"])


def somme_rows() -> list[dict[str, str]]:
    """Four valid rows with few distinct values: the Somme, Amiens twice, Abbeville."""
    base = canonical_rows()[0]
    places = [("departement:80", "", "departement", "departemental"),
              ("commune:80021", "80021", "commune", "local"),
              ("commune:80021", "80021", "commune", "local"),
              ("commune:80001", "80001", "commune", "local")]
    return [{**base, "id": f"test-{i}", "territoires": t, "lieu": lieu, "precision": precision,
             "departements": "80", "echelle": echelle}
            for i, (t, lieu, precision, echelle) in enumerate(places)]


def test_classes_with_few_distinct_values(tmp_path):
    from webmap.projects.check import check_file
    from webmap.reference.files import ReferenceFiles

    data_dir = data_dir_with(tmp_path / "somme", somme_rows())
    assert not check_file(data_dir / "projets.csv", ReferenceFiles(data_dir)).errors
    client = client_for(data_dir)
    for path in ("/?niveau=commune", "/embed?niveau=commune", "/?niveau=epci&indicateur=projets_100k",
                 "/?niveau=commune&theme=droits", "/?niveau=commune&indicateur=distance"):
        response = client.get(path)
        assert response.status_code == 200, path
    body = client.get("/?niveau=commune&theme=droits").get_data(as_text=True)
    assert "0 projet(s)" in body  # one honest class: no project of this theme anywhere


def test_classify_sampled_values_with_a_rare_class():
    import pandas as pd

    from webmap.classify import classify

    values = pd.Series([1.0] * 771 + [2.0] + [3.0] + [0.0] * 3000)
    legend, colors = classify(values, "t", "projet(s)")
    uppers = [c.upper for c in legend.classes]
    assert uppers[0] == 0 and uppers[-1] == 3.0
    assert colors.iloc[772] != colors.iloc[0]  # the 3 is not painted like the 1s
