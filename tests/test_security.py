"""Security regressions: each test replays one finding of the security review (issue 12)."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import canonical_rows, data_dir_with, make_app

from webmap.web.config import Settings

HOSTILE_TITLES = {
    "hdf-2021-06": "Épicerie {{ 7*7 }}",
    "hdf-2021-20": "Bus {# pas fermé",
    "hdf-2021-21": "Aide {% if 1 %}oui{% endif %} fin",
    "hdf-2021-22": "{{ lipsum.__globals__.os.popen('id').read() }}",
}


def client_for(data_dir, **settings):
    return make_app(data_dir, **settings).test_client()


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
    from webmap.mapview.build import Tiles, Urls, build_map, map_data, render_parts
    from webmap.mapview.view import MapView

    data = hostile_client.application.extensions["webmap.holder"].dataset
    urls = Urls(**{field.name: "/x" if field.type == "str" else (lambda *keys: "/x/" + "/".join(keys))
                   for field in dataclasses.fields(Urls)})
    for compact in (False, True):
        parts = render_parts(build_map(data, urls, Tiles(None, ""), compact=compact))
        folium_text = parts["header"] + parts["html"] + parts["script"]
        for project in data.projects:
            for text in (project.titre, project.description, project.porteur):
                assert not text or text not in folium_text
    for level in ("departement", "commune"):
        island = map_data(data, MapView(niveau=level, projet="hdf-2021-06"), urls)
        assert "Épicerie {{ 7*7 }}" in str(island["markers"]) and island["openProject"] == "hdf-2021-06"


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

    from webmap.analysis.classify import classify

    values = pd.Series([1.0] * 771 + [2.0] + [3.0] + [0.0] * 3000)
    legend, colors = classify(values, "t", "projet(s)")
    uppers = [c.upper for c in legend.classes]
    assert uppers[0] == 0 and uppers[-1] == 3.0
    assert colors.iloc[772] != colors.iloc[0]  # the 3 is not painted like the 1s


@pytest.fixture(scope="module")
def client(files):
    return client_for(files.root, frame_ancestors=("https://prefecture.example",))


# --- Host header, configuration -------------------------------------------------------


@pytest.mark.parametrize("path", ["/integrer", "/oembed?url=http://evil.example/embed", "/"])
def test_untrusted_host_gets_a_400_and_no_link_to_it(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)


def test_public_url_host_is_trusted(files):
    client = client_for(files.root, public_url="https://carte.exemple.gouv.fr")
    response = client.get("/integrer", headers={"Host": "carte.exemple.gouv.fr"})
    assert response.status_code == 200
    assert "https://carte.exemple.gouv.fr/embed" in response.get_data(as_text=True)
    assert client.get("/integrer", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("value", [
    "https://a.example; report-uri https://evil.example/r",
    "https://a.example 'unsafe-inline'",
    "javascript:alert(1)",
    "https://a.example/path",
    "a.example",
    "https://a.example:99999",
])
def test_bad_frame_ancestors_refused_at_start_up(value):
    from webmap.web.config import ConfigError

    with pytest.raises(ConfigError, match="WEBMAP_FRAME_ANCESTORS : .* n'est pas une origine"):
        Settings.from_env({"WEBMAP_FRAME_ANCESTORS": value})


def test_frame_ancestors_accept_commas_and_spaces():
    from webmap.web.security import content_security_policy

    settings = Settings.from_env({"WEBMAP_FRAME_ANCESTORS": "https://a.example, https://b.example:8443 "
                                                            "https://*.c.example"})
    assert settings.frame_ancestors == ("https://a.example", "https://b.example:8443", "https://*.c.example")
    assert content_security_policy(settings)["frame-ancestors"] == ["'self'", *settings.frame_ancestors]


@pytest.mark.parametrize("variable,value", [("WEBMAP_PUBLIC_URL", "https://x.example/?a=1"),
                                            ("WEBMAP_PUBLIC_URL", "ftp://x.example"),
                                            ("WEBMAP_TRUSTED_HOSTS", "http://x.example"),
                                            ("WEBMAP_RELOAD_SETTLE", "bientôt")])
def test_other_bad_settings_refused(variable, value):
    from webmap.web.config import ConfigError

    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})


# --- Unhandled errors, JSON errors, HTTP details -------------------------------------


@pytest.mark.parametrize("path,status", [
    ("/integrer?hauteur=%C2%B2", 400),
    ("/static/" + "a" * 300, 404),
    ("/favicon.ico", 200),
])
def test_odd_requests_get_a_clear_answer(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_oembed_sizes_never_exceed_the_maximum(client):
    for maxwidth, maxheight in ((200, 150), (100, 600), (1000, 1000)):
        answer = client.get("/oembed", query_string={"url": "http://localhost/embed", "maxwidth": maxwidth,
                                                     "maxheight": maxheight}).get_json()
        assert answer["width"] <= maxwidth and answer["height"] <= maxheight
    bad = client.get("/oembed", query_string={"url": "http://localhost/embed", "maxwidth": "²"})
    assert bad.status_code == 200 and bad.get_json()["width"] > 0


@pytest.mark.parametrize("path,status", [("/couverture.json?theme=x", 400),
                                         ("/couverture/x/epci.json", 400),
                                         ("/donnees/couverture/x.json", 404),
                                         ("/oembed?url=http://localhost/ailleurs", 404)])
def test_json_endpoints_answer_errors_in_json(client, path, status):
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "application/json"
    assert response.get_json()["erreur"]


def test_405_says_what_is_allowed(client):
    response = client.post("/projets")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/projets.csv", "/donnees/fiches/hdf-2021-06.html",
                                  "/couverture.csv", "/static/webmap.js"])
def test_one_charset(client, path):
    assert client.get(path).headers["Content-Type"].count("charset") <= 1


def test_content_negotiation_and_etags(client):
    for path in ("/static/webmap.js", "/embed", "/projets.geojson"):
        refused = client.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert "Content-Encoding" not in refused.headers, path
    plain = client.get("/static/webmap.js")
    gzipped = client.get("/static/webmap.js", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert plain.headers["ETag"] != gzipped.headers["ETag"]
    weak = "W/" + plain.headers["ETag"]
    assert client.get("/static/webmap.js", headers={"If-None-Match": weak}).status_code == 304


@pytest.mark.parametrize("path", ["/", "/projets", "/couverture", "/integrer", "/embed"])
def test_pages_say_how_to_cache(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-cache"
