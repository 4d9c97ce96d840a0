"""« What serves my territory? »: the summary of a commune, an EPCI or a department, its
page, its CSV and JSON (rules in docs/couverture.md)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import make_app

from webmap.analysis.territory import summary_context, territory_summary
from webmap.projects.schema import THEMES


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


@pytest.fixture(scope="module")
def data(client):
    return client.application.extensions["webmap.holder"].dataset


def summary(data, typed):
    context = summary_context(data.projects, data.territories, {t.slug: data.coverage(t.slug) for t in THEMES})
    return territory_summary(context, data.territories, typed)


def test_laon_is_served_by_the_bus_which_stops_there(data):
    laon = summary(data, "commune:02408")
    assert laon.name == "Laon (02)" and laon.communes == 1
    assert laon.serving["local"] == {"alimentation": ["hdf-2021-11"]}  # Bus Accs'Aisne
    assert "hdf-2021-11" in laon.aller_vers
    assert len([p for ids in laon.serving["regional"].values() for p in ids]) == 13
    nearest = {n.theme: n for n in laon.nearest}
    assert nearest["alimentation"].km == 0 and nearest["alimentation"].project_id == "hdf-2021-11"
    assert nearest["droits"].km > 0  # no local « droits » project serves Laon


def test_a_place_is_served_when_one_of_its_communes_is(data):
    """Every project a department lists serves at least one of its communes, and every
    project serving one of its communes is listed."""
    somme = summary(data, "departement:80")
    listed = {p for by_theme in somme.serving.values() for ids in by_theme.values() for p in ids}
    communes = set(data.territories.communes_of("departement:80"))
    for project in data.projects:
        serves = any(set(data.territories.communes_of(t)) & communes for t in project.territoires)
        assert (project.id in listed) == serves, project.id


def test_coverage_figures_are_the_coverage_tables(data):
    epci = summary(data, "epci:200071991")
    for row in epci.coverage:
        table = data.coverage(row.theme)
        here = table[table["epci"] == "200071991"]
        assert row.communes_uncovered == int((~here["couverte"]).sum())
        assert row.population_uncovered == int(here.loc[~here["couverte"], "population"].sum())


def test_nearest_distance_matches_the_communes_coverage_distance(data):
    """For a commune, the nearest local project's distance is the coverage table's."""
    for code in ("59350", "80021", "02691"):
        place = summary(data, f"commune:{code}")
        for near in place.nearest:
            assert near.km == pytest.approx(data.coverage(near.theme).at[code, "distance_km"], abs=0.051)


@pytest.mark.parametrize("path", ["/territoires/commune/02408", "/territoires/epci/200071991",
                                  "/territoires/departement/80"])
def test_territory_pages_csv_and_json_agree(client, path):
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    document = json.loads(client.get(path + ".json").get_data(as_text=True))
    assert f"<h1>{document['name']}</h1>" in html
    rows = list(csv.DictReader(io.StringIO(client.get(path + ".csv").get_data(as_text=True).lstrip("\ufeff"))))
    listed = {r["projet"] for r in rows if r["rubrique"] in ("projet local", "projet departemental", "projet regional")}
    assert listed == {p for by_theme in document["serving"].values() for ids in by_theme.values() for p in ids}
    for pid in listed:
        assert f'href="/projets/{pid}"' in html


@pytest.mark.parametrize("path", ["/territoires/commune/99999", "/territoires/region/32", "/territoires/canton/0201",
                                  "/territoires/commune/..%2Fsecret.json"])
def test_unknown_places_are_french_404s(client, path):
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Cette page n'existe pas" in text if path.endswith(".json") else "Erreur 404" in text


def test_the_summary_as_json_is_the_whole_summary(data):
    from dataclasses import asdict

    from webmap.analysis.territory import summary_dict

    for typed in ("commune:02408", "epci:200044618", "departement:80"):
        place = summary(data, typed)
        assert summary_dict(place) == asdict(place)


def test_territory_pages_show_their_map_image(client):
    page = client.get("/territoires/epci/200044618").get_data(as_text=True)
    assert 'src="/territoires/epci/200044618.png?largeur=600"' in page
    image = client.get("/territoires/epci/200044618.png?largeur=600")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(image.data[16:20], "big") == 600
    assert client.get("/territoires/epci/999999999.png").status_code == 404
    assert client.get("/territoires/epci/200044618.png?largeur=10").status_code == 400
