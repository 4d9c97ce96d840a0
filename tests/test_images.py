"""Map images drawn by the server (issue 17, part 4): /carte.png, /carte.svg, /projets/<id>.png
and the functions behind them (webmap.mapview.image)."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import REPO, canonical_rows, data_dir_with, make_app

from webmap.analysis.classify import classify
from webmap.analysis.metrics import METRIC_BY_SLUG
from webmap.mapview import image
from webmap.mapview.view import MapView
from webmap.mapview.views import all_views, view_payload

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PLACED = "hdf-2021-13"  # a project with a marker (Carvin)


@pytest.fixture(scope="module")
def app():
    return make_app()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def data(app):
    return app.extensions["webmap.holder"].dataset


def png_size(body: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG must start with."""
    assert body[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", body[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", body[16:24])


def svg_texts(body: bytes) -> tuple[ET.Element, list[str]]:
    root = ET.fromstring(body)
    return root, [t.text or "" for t in root.iter(f"{SVG}text")]


def get_ok(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:500])
    return response


@pytest.mark.parametrize("width", [300, 777, None])
def test_png_has_the_asked_width_and_a_bounded_height(client, width):
    url = "/carte.png" + (f"?largeur={width}" if width else "")
    response = get_ok(client, url)
    assert response.mimetype == "image/png"
    w, h = png_size(response.data)
    assert w == (width or image.DEFAULT_WIDTH)
    assert 0.5 * w <= h <= 3 * w


@pytest.mark.slow  # draws several full images (about a second each)
def test_svg_is_xml_with_the_width_title_and_legend_of_the_view(client, data):
    view = MapView(niveau="epci", indicateur="projets_100k", theme="droits")
    response = get_ok(client, "/carte.svg?niveau=epci&indicateur=projets_100k&theme=droits&largeur=900")
    assert response.mimetype == "image/svg+xml"
    root, texts = svg_texts(response.data)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "900"
    assert 450 <= float(root.get("height")) <= 2700
    legend = view_payload(data, view)["legend"]
    labels = [c["label"] for c in legend["classes"]]
    assert len(labels) >= 2
    for label in labels:  # each class label is a text of its own, next to its colour
        assert label in texts, label
    words = " ".join(texts)  # a wrapped title is broken at spaces only
    assert f"{legend['title']} — Accès aux droits et isolement" in words
    assert "Licence Ouverte 2.0" in words and "IGN Admin Express" in words
    assert f"version {data.version}" in words


@pytest.mark.slow  # draws several full images (about a second each)
def test_the_image_paints_each_territory_in_its_legend_class(data):
    """Every view: the colour drawn from the view file (the browser's rule, 3-decimal values)
    is the colour classify() gives the exact value."""
    for view in all_views():
        payload = view_payload(data, view)["choropleth"]
        table = data.metrics(view.niveau, view.theme_filter).table
        info = METRIC_BY_SLUG[view.indicateur]
        _, expected = classify(table[view.indicateur], "", info.unit, info.decimals)
        drawn = [image.color_for(v, payload["classes"]) for v in payload["values"]]
        assert drawn == [expected[code] for code in data.level_order(view.niveau)], view


@pytest.mark.slow  # draws several full images (about a second each)
def test_a_department_or_a_theme_changes_the_image_and_the_same_view_does_not(client, data):
    base = image.map_image(data, MapView(), "png", 400)
    assert image.map_image(data, MapView(), "png", 400) == base  # drawn twice: the same bytes
    assert image.map_image(data, MapView(), "svg", 400) == image.map_image(data, MapView(), "svg", 400)
    department = get_ok(client, "/carte.png?largeur=400&departement=80").data
    theme = get_ok(client, "/carte.png?largeur=400&theme=insertion").data
    default = get_ok(client, "/carte.png?largeur=400").data
    assert default == base
    assert len({base, department, theme}) == 3


def test_the_department_view_is_titled_and_counts_regional_projects(client, data):
    _, texts = svg_texts(get_ok(client, "/carte.svg?departement=80&theme=alimentation&largeur=700").data)
    words = " ".join(texts)
    assert "Somme" in words
    regional = sum(p.regionwide and p.theme == "alimentation" for p in data.projects)
    assert regional > 1
    assert f"{regional} projets couvrent toute la région" in words


def test_financement_says_amounts_are_not_published(client):
    _, texts = svg_texts(get_ok(client, "/carte.svg?indicateur=financement&largeur=700").data)
    words = " ".join(texts)
    assert "montant non publié" in words
    assert "Montants non publiés" in words


@pytest.mark.slow  # draws several full images (about a second each)
def test_images_drawn_in_threads_are_the_images_drawn_one_by_one(data):
    """The server's threads may ask for images at once: each gets its own, whole."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [lambda: image.map_image(data, MapView(theme="droits"), "png", 300),
            lambda: image.map_image(data, MapView(niveau="epci"), "svg", 300),
            lambda: image.project_image(data, PLACED, "png", 300),
            lambda: image.territory_image(data, "departement:80", "svg", 300)]
    alone = [job() for job in jobs]
    with ThreadPoolExecutor(len(jobs)) as pool:  # all four at once, in four threads
        together = list(pool.map(lambda job: job(), jobs))
    assert together == alone


@pytest.mark.parametrize(("query", "name", "value"), [
    ("niveau=pays", "niveau", "pays"),
    ("indicateur=budget", "indicateur", "budget"),
    ("theme=sante", "theme", "sante"),
    ("departement=75", "departement", "75"),
    ("largeur=abc", "largeur", "abc"),
    ("largeur=299", "largeur", "299"),
    ("largeur=2401", "largeur", "2401"),
    ("largeur=1_200", "largeur", "1_200"),
    ("largeur=-400", "largeur", "-400"),
    ("largeur=800.5", "largeur", "800.5"),
])
@pytest.mark.parametrize("path", ["/carte.png", "/carte.svg"])
def test_bad_parameters_get_a_french_400_naming_them(client, path, query, name, value):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert f"Paramètre « {name} » : valeur « {value} »" in text
    assert "Traceback" not in text


def test_all_bad_parameters_are_named_together(client):
    text = client.get("/carte.png?niveau=pays&largeur=10").get_data(as_text=True)
    assert "Paramètre « niveau »" in text and "Paramètre « largeur »" in text
    assert "de 300 à 2400" in text


def test_project_image_and_unknown_project(client, data):
    response = get_ok(client, f"/projets/{PLACED}.png?largeur=500")
    assert png_size(response.data)[0] == 500
    assert client.get(f"/projets/{PLACED}.png?largeur=5000").status_code == 400
    missing = client.get("/projets/hdf-2099-99.png")
    assert missing.status_code == 404
    assert "Aucun projet d'identifiant « hdf-2099-99 »" in missing.get_data(as_text=True).replace("&#39;", "'")
    with pytest.raises(image.ImageNotFound):
        image.project_image(data, "hdf-2099-99")


@pytest.mark.slow  # draws several full images (about a second each)
def test_territory_image_lists_the_projects_serving_it(data):
    _, texts = svg_texts(image.territory_image(data, "commune:62215", "svg", 800))  # Carvin
    words = " ".join(texts)
    assert "Carvin (62)" in words
    assert data.by_id[PLACED].titre.split()[0] in words
    for bad in ("commune:99999", "pays:1", "62215", ""):
        with pytest.raises(image.ImageNotFound):
            image.territory_image(data, bad)
    with pytest.raises(ValueError):
        image.territory_image(data, "departement:80", "gif")
    with pytest.raises(ValueError):
        image.territory_image(data, "departement:80", "png", 10_000)


def test_images_are_cacheable_like_the_other_data(client, data):
    first = get_ok(client, "/carte.png?largeur=300")
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get("/carte.png?largeur=300", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    versioned = get_ok(client, f"/carte.png?largeur=300&v={data.version}")
    assert versioned.headers["Cache-Control"].startswith("public, max-age=")


HOSTILE = "{{7*7}} <script>alert(1)</script> $(rm -rf /) %s $x$ & é"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    rows = canonical_rows()
    for row in rows:
        if row["id"] == PLACED:
            row.update(titre=HOSTILE, porteur="]]> <!-- \x01 %(x)s")
    app = make_app(data_dir_with(tmp_path_factory.mktemp("hostile-images"), rows))
    return app, app.extensions["webmap.holder"].dataset


def test_a_hostile_title_is_drawn_verbatim_as_text(hostile):
    app, data = hostile
    body = image.project_image(data, PLACED, "svg", 1200)
    root, texts = svg_texts(body)  # well-formed XML: the text was escaped
    assert HOSTILE in texts  # one text, verbatim (not 49, not run, not formatted)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert "]]> <!-- \ufffd %(x)s" in " ".join(texts)  # a control character cannot be XML: U+FFFD
    assert b"<script" not in body
    _, listed = svg_texts(image.territory_image(data, "commune:62215", "svg", 1200))
    assert HOSTILE in " ".join(listed)
    response = app.test_client().get(f"/projets/{PLACED}.png")
    assert response.status_code == 200 and response.data[:8] == PNG_SIGNATURE


def test_matplotlib_is_imported_only_when_an_image_is_drawn():
    code = ("import sys, webmap.web, webmap.web.images, webmap.mapview.image; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
@pytest.mark.xdist_group("export")  # one worker makes the shared static copy
def test_the_static_export_has_the_default_views_image(exported_site, client):
    out, written = exported_site
    assert "carte.png" in written
    body = (out / "carte.png").read_bytes()
    assert png_size(body)[0] == image.DEFAULT_WIDTH
    assert body == get_ok(client, "/carte.png").data  # the same data, the same image
