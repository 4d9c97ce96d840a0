"""Every route through Flask's test client: content, downloads, escaping, 400 pages."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import make_app, page_and_map_script, without_footer_links

from webmap.mapview.polygon_codec import decode_polygons
from webmap.web.assets import minified


@pytest.fixture(scope="module")
def client(files):
    app = make_app()
    return app.test_client()


def test_home_page_figures_themes_legend_credits(client):
    html = client.get("/").get_data(as_text=True)
    assert "<html lang=\"fr\">" in html
    for text in ("54", "6,6 M€", "287", "Alimentation et biens essentiels", "Accès aux droits et isolement",
                 "Prévention et insertion", "Nombre de projets par département", "Licence Ouverte 2.0",
                 "Liste des 54 projets", "Projets régionaux (13)"):
        assert text in html, text


def test_no_external_asset(client):
    html = without_footer_links(client.get("/").get_data(as_text=True))
    assert "cdn" not in html and "https://" not in html
    assert client.get("/static/vendor/leaflet-1.9.3/leaflet.js").status_code == 200
    assert client.get("/static/vendor/leaflet-1.9.3/leaflet.css").status_code == 200
    assert client.get("/static/webmap.js").status_code == 200


def test_tiles_configuration():
    app = make_app(tiles_url="https://tiles.example/{z}/{x}/{y}.png", tiles_attribution="© Essai")
    html = page_and_map_script(app.test_client(), "/")
    assert "https://tiles.example/{z}/{x}/{y}.png" in html and "© Essai" in html


@pytest.mark.parametrize("query", [
    "niveau=commune", "niveau=epci&indicateur=projets_100k", "indicateur=financement&theme=droits",
    "departement=80", "projet=hdf-2021-11", "legende=non",
])
def test_valid_views(client, query):
    """Each view shows what it says: its legend, its focus, its project, its legend switch."""
    response = client.get("/?" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    title = re.search(r'<div class="wm-legend" id="legende"[^>]*>\s*<h3>([^<]+)</h3>', html).group(1)
    expected_title = {
        "niveau=commune": "Nombre de projets par commune",
        "niveau=epci&indicateur=projets_100k": "Projets pour 100 000 habitants par intercommunalité (EPCI)",
        "indicateur=financement&theme=droits": "Financement publié (€) par département",
    }.get(query, "Nombre de projets par département")
    assert title == expected_title
    data = json.loads(re.search(r'<script type="application/json" id="wm-data">(.*?)</script>', html, re.S).group(1))
    assert data["openProject"] == ("hdf-2021-11" if query == "projet=hdf-2021-11" else None)
    if query == "departement=80":
        assert '<input type="hidden" name="departement" value="80">' in html


def test_funding_view_says_amounts_are_not_published(client):
    html = client.get("/?indicateur=financement").get_data(as_text=True)
    assert "Montants non publiés" in html and "Aucune donnée à afficher" in html


@pytest.mark.parametrize(("query", "accepted"), [
    ("niveau=canton", "departement"), ("indicateur=argent", "projets_100k"), ("theme=culture", "alimentation"),
    ("departement=13", "59"), ("projet=nope", "hdf-2021-01"), ("legende=peut-etre", "oui"),
])
def test_bad_parameters_get_a_french_400(client, query, accepted):
    response = client.get("/?" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Erreur 400" in html and "Valeurs acceptées" in html and accepted in html
    assert "Traceback" not in html


def test_bad_parameter_value_is_escaped(client):
    html = client.get("/?theme=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_projects_table(client):
    html = client.get("/projets").get_data(as_text=True)
    assert html.count('<tr id="hdf-2021-') == 54
    assert 'href="/?projet=hdf-2021-11"' in html
    filtered = client.get("/projets?theme=insertion").get_data(as_text=True)
    assert filtered.count('<tr id="hdf-2021-') == 11
    somme = client.get("/projets?departement=80&tri=titre").get_data(as_text=True)
    assert "Toute la région" in somme and "Couverture de zones blanches" in somme
    assert client.get("/projets?tri=hasard").status_code == 400


def test_csv_download_protected_against_formulas(client):
    response = client.get("/projets.csv")
    assert response.status_code == 200 and "text/csv" in response.content_type
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 54
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


def test_protect_cell():
    from webmap.web.common import protect_cell

    assert protect_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert protect_cell("-1") == "'-1" and protect_cell("Laon") == "Laon"


def test_geojson_download(client):
    data = client.get("/projets.geojson").get_json()
    assert len(data["features"]) == 54
    first = data["features"][0]["properties"]
    assert first["montant_eur"] is None and first["montant_publie"] is False
    assert first["emplacement_approximatif"] is True


def _properties(client, path: str) -> dict[str, list]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/octet-stream"
    return decode_polygons(response.data).properties


def test_geometry_endpoints_cacheable_and_gzipped(client):
    version = client.get("/sante").get_json()["version"]
    response = client.get(f"/donnees/geo/commune/59.bin?v={version}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    # Without the version (or with another one) the body may be of another version: revalidate.
    for stale in ("", "?v=0123456789abcdef"):
        assert client.get(f"/donnees/geo/commune/59.bin{stale}").headers["Cache-Control"] == "no-cache"
    again = client.get("/donnees/geo/commune/59.bin", headers={
        "Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"].strip('"')})
    assert again.status_code == 304
    communes = [code for d in ("02", "59", "60", "62", "80")
                for code in _properties(client, f"/donnees/geo/commune/{d}.bin")["code"]]
    assert len(communes) == len(set(communes)) == 3782
    assert set(_properties(client, "/donnees/geo/departement.bin")["code"]) == {"02", "59", "60", "62", "80"}
    assert len(_properties(client, "/donnees/geo/epci.bin")["nom"]) > 90
    assert len(_properties(client, "/donnees/zones/aller-vers.bin")["titre"]) == 14
    assert client.get("/donnees/geo/canton.bin").status_code == 404
    assert client.get("/donnees/geo/commune.bin").status_code == 404  # communes come per department
    assert client.get("/donnees/geo/commune/13.bin").status_code == 404


def test_popup_content_is_escaped(files, tmp_path):
    """A title with HTML from the data reaches the page as text, not markup."""
    import shutil

    for path in files.root.glob("*.geojson"):
        shutil.copy(path, tmp_path / path.name)
    text = files.projects.read_text(encoding="utf-8").replace(
        "Création d'un atelier cuisine par la Banque alimentaire de l'Aisne",
        "Atelier <img src=x onerror=alert(1)> ${alert(2)} </script>", 1)
    (tmp_path / "projets.csv").write_text(text, encoding="utf-8")
    app = make_app(tmp_path)
    html = app.test_client().get("/").get_data(as_text=True)
    assert "<img src=x" not in html and "</script> ${" not in html
    assert "\\u003cimg src=x" in html or "&lt;img src=x" in html


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404 and "Cette page n&#39;existe pas" in response.get_data(as_text=True)


def test_project_card_fragment(client):
    html = client.get("/donnees/fiches/hdf-2021-13.html").get_data(as_text=True)
    assert "Agrandissement de la surface du site de stockage de Carvin" in html and "Montant non publié" in html
    assert client.get("/donnees/fiches/inconnu.html").status_code == 404


def test_pages_and_assets_are_compressed_and_revalidate(client):
    import gzip as gzip_module

    page = client.get("/embed?niveau=commune", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    assert b"/static/carte-" in gzip_module.decompress(page.data)
    plain = client.get("/embed?niveau=commune")
    assert "Content-Encoding" not in plain.headers and b"/static/carte-" in plain.data
    for asset in ("/static/polygons.js", "/static/vendor/leaflet-1.9.3/leaflet.js"):
        first = client.get(asset, headers={"Accept-Encoding": "gzip"})
        assert first.headers["Content-Encoding"] == "gzip"
        assert len(first.data) < int(client.get(asset).headers["Content-Length"]) / 2
        again = client.get(asset, headers={"Accept-Encoding": "gzip",
                                           "If-None-Match": first.headers["ETag"].strip('"')})
        assert again.status_code == 304, asset
    assert "immutable" in client.get("/static/vendor/leaflet-1.9.3/leaflet.js").headers["Cache-Control"]
    assert client.get("/static/polygons.js").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/vendor/leaflet-1.9.3/nope.js").status_code == 404
    # Data are compressed once by the app itself (cached_response), not again.
    data = client.get("/donnees/geo/commune/59.bin", headers={"Accept-Encoding": "gzip, br"})
    assert data.headers["Content-Encoding"] == "gzip"
    assert decode_polygons(gzip_module.decompress(data.data)).properties["code"][0] == "59001"


def test_the_communes_overview_keeps_every_commune_with_fewer_points(client):
    """Below the detail zoom the map draws the overview files: every commune of the detailed
    files is there with at least one ring (none lost to snapping), in the same order, each
    no further than twice the simplification's tolerance from its detailed shape, with
    fewer points in all (about 0.6 times)."""
    import shapely

    from webmap.mapview.webgeo import OVERVIEW_TOLERANCE_DEG

    detail_points = overview_points = 0
    for dep in ("02", "59", "60", "62", "80"):
        detail = decode_polygons(client.get(f"/donnees/geo/commune/{dep}.bin").data)
        overview = decode_polygons(client.get(f"/donnees/geo/commune-apercu/{dep}.bin").data)
        assert overview.properties["code"] == detail.properties["code"], dep
        codes = overview.properties["code"]
        assert all(overview.rings), [c for c, r in zip(codes, overview.rings, strict=True) if not r]
        for i in range(0, len(detail.rings), 50):
            distance = shapely.hausdorff_distance(overview.geometry(i), detail.geometry(i))
            assert distance < 2 * OVERVIEW_TOLERANCE_DEG, (overview.properties["code"][i], distance)
        detail_points += sum(len(r) for rings in detail.rings for r in rings)
        overview_points += sum(len(r) for rings in overview.rings for r in rings)
    assert overview_points < 0.7 * detail_points, (overview_points, detail_points)


@pytest.mark.parametrize("detail, overview", [
    *((f"/donnees/geo/{level}.bin", f"/donnees/geo/apercu/{level}.bin") for level in ("departement", "epci")),
    ("/donnees/zones/aller-vers.bin", "/donnees/zones/apercu/aller-vers.bin"),
    ("/donnees/zones/zones-blanches.bin", "/donnees/zones/apercu/zones-blanches.bin"),
])
def test_levels_and_zones_have_an_overview_with_the_same_features(client, detail, overview):
    """Below the detail zoom the outlines, the other levels' choropleths and the zones come
    simplified: the same features with the same properties (tooltips read them), each with
    a ring, near their detailed shape, fewer points."""
    import shapely

    from webmap.mapview.webgeo import OVERVIEW_TOLERANCE_DEG

    fine, coarse = (decode_polygons(client.get(url).data) for url in (detail, overview))
    assert coarse.properties == fine.properties and len(coarse.rings) == len(fine.rings)
    assert all(coarse.rings)
    for i in range(len(fine.rings)):
        assert shapely.hausdorff_distance(coarse.geometry(i), fine.geometry(i)) < 2 * OVERVIEW_TOLERANCE_DEG
    count = lambda decoded: sum(len(r) for rings in decoded.rings for r in rings)  # noqa: E731
    assert count(coarse) < count(fine), (count(coarse), count(fine))


def test_the_map_scripts_come_as_one_versioned_file(client):
    """Leaflet and our scripts, in the order they run, each whole; one request, cached for a
    year under a name that changes with the bytes. The search's script is a file of its own,
    named in the page's data, not loaded by the page."""
    import xstatic.pkg.leaflet as xleaflet

    from webmap.web.assets import STATIC_DIR

    page = client.get("/embed").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    bundle = [s for s in scripts if "/static/carte-" in s]
    assert len(bundle) == 1 and not any(s.endswith(("leaflet.js", "polygons.js", "webmap.js")) for s in scripts)
    response = client.get(bundle[0])
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    body = response.get_data(as_text=True)
    files = [Path(xleaflet.BASE_DIR) / "leaflet.js"] + [STATIC_DIR / name for name in
                                                      ("format.js", "webmap.js", "polygon-decoder.js",
                                                       "polygons.js")]
    texts = [files[0].read_text(encoding="utf-8").strip()] + \
        [minified(f.name, f.read_bytes()).decode("utf-8") for f in files[1:]]
    positions = [body.index(text) for text in texts]
    assert positions == sorted(positions)
    assert client.get("/static/carte-0000000000000000.js").status_code == 404
    search = minified("search.js", (STATIC_DIR / "search.js").read_bytes()).decode("utf-8")
    assert search not in body and not any("/static/recherche-" in s for s in scripts)
    island = json.loads(re.search(r'id="wm-data">(.*?)</script>', page, re.S).group(1))
    served = client.get(island["search"]["script"])
    assert served.status_code == 200 and search in served.get_data(as_text=True)
    assert "max-age=31536000" in served.headers["Cache-Control"]


def test_our_scripts_and_styles_are_served_minified_and_still_parse(client, tmp_path):
    """Comments and layout whitespace go (the files in static/ keep them); what is left is
    still JavaScript that Node parses and every rule of the style sheets; the browser tests
    run on these very bytes."""
    import subprocess

    from webmap.web.assets import STATIC_DIR

    for name in ("webmap.js", "polygons.js", "search.js", "frame.js", "webmap.css"):
        source = (STATIC_DIR / name).read_bytes()
        served = client.get(f"/static/{name}").data
        assert served == minified(name, source) and len(served) < 0.8 * len(source), name
        assert b"/*" not in served and b"\n  " not in served, name
    bundle = client.get(re.search(r'src="(/static/carte-[^"]+)"', client.get("/embed").get_data(as_text=True))[1])
    (tmp_path / "carte.js").write_bytes(bundle.data)
    checked = subprocess.run(["node", "--check", str(tmp_path / "carte.js")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    css = client.get("/static/webmap.css").get_data(as_text=True)
    source = (STATIC_DIR / "webmap.css").read_text(encoding="utf-8")
    assert css.count("{") == source.count("{") and css.count("}") == source.count("}")
    leaflet_css = client.get("/static/vendor/leaflet-1.9.3/leaflet.css").data
    assert b"/*" not in leaflet_css and b".leaflet-pane" in leaflet_css


def test_every_page_has_one_style_sheet_whose_images_are_served(client):
    """Ours, Leaflet's and the palette in one file (one request), cached for a year under
    its hash; the images Leaflet's rules point to, relative to that file, are served."""
    sheets = {page: re.findall(r'<link rel="stylesheet" href="(/static/styles-[0-9a-f]+\.css)">',
                               client.get(page).get_data(as_text=True)) for page in ("/", "/embed", "/projets")}
    assert all(len(found) == 1 for found in sheets.values()) and len({f[0] for f in sheets.values()}) == 1, sheets
    response = client.get(sheets["/"][0])
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    css = response.get_data(as_text=True)
    assert ".leaflet-pane" in css and ".wm-embed" in css and ".wm-fill-0" in css
    images = set(re.findall(r"url\(([^)\"'#:]+)\)", css))
    assert {"vendor/leaflet-1.9.3/images/layers.png", "vendor/leaflet-1.9.3/images/marker-icon.png"} <= images
    for image in images:
        assert client.get("/static/" + image).status_code == 200, image
    assert client.get("/static/styles-0000000000000000.css").status_code == 404


def test_the_maps_search_finds_a_commune_by_its_former_name(client):
    """« Marconne » (commune déléguée) and « Lomme » (associée) lead to today's
    commune, as `webmap resolve` does; the index still finds each commune by its own name."""
    entries = client.get("/donnees/recherche.json").get_json()["entries"]
    keys = {entry[2]: entry[3] for entry in entries if entry[1] == "commune"}
    assert "marconne" in keys["commune:62447"] and "hesdin" in keys["commune:62447"]
    assert "lomme" in keys["commune:59350"] and "lille" in keys["commune:59350"]
    assert not any("marconne" in words for code, words in keys.items() if code != "commune:62447")


def test_a_zones_tooltip_names_five_territories_then_counts_the_rest(client):
    """The bus that serves 161 communes: its zone's tooltip names five, then says how many
    more (its card and page list them all)."""
    zones = decode_polygons(client.get("/donnees/zones/aller-vers.bin").data).properties
    detail = dict(zip(zones["code"], zones["detail"], strict=True))["hdf-2021-11"]
    assert detail.count("(02)") == 5 and detail.endswith(" et 156 autres territoires")
    assert "Montcornet (02)" in client.get("/donnees/fiches/hdf-2021-11.html").get_data(as_text=True)


def test_the_pages_warmed_before_the_workers_fork_are_those_visitors_get():
    """`webmap serve` renders the first pages as asked at its own address: a visitor there
    gets them from the cache, nothing rendered again (the oEmbed link names the host)."""
    from conftest import DATA as DATA_DIR
    from conftest import shared_territories

    from webmap.web import create_app
    from webmap.web.config import Settings
    from webmap.web.server import warm_pages

    app = create_app(Settings(data_dir=DATA_DIR, tiles_url="off"), shared_territories())
    warm_pages(app, "http://127.0.0.1:8123")
    cache = app.extensions["webmap.render_cache"]
    warmed = len(cache._entries)
    page = app.test_client().get("/embed?niveau=commune", base_url="http://127.0.0.1:8123")
    assert page.status_code == 200 and "http://127.0.0.1:8123/oembed" in page.get_data(as_text=True)
    assert len(cache._entries) == warmed
    app.test_client().get("/embed?niveau=commune", base_url="http://localhost:8123")
    assert len(cache._entries) == warmed + 1  # another host's page: rendered for it
