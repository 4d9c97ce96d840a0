"""Embedding: /embed, /integrer, oEmbed, security headers, static export (test client)."""

from __future__ import annotations

import html as html_module
import json
import re

import pytest
from conftest import make_app, page_and_map_script, without_footer_links

ALLOWED = "https://www.hauts-de-france.gouv.fr"


@pytest.fixture(scope="module")
def client(files):
    return make_app(frame_ancestors=(ALLOWED,)).test_client()


def test_embed_is_the_map_alone(client):
    html = client.get("/embed").get_data(as_text=True)
    assert 'class="folium-map"' in html and "wm-header" not in html and "wm-panel" not in html
    assert "Légende" in html and "Liste des projets" in html
    assert 'class="wm-embed-legend"' not in client.get("/embed?legende=non").get_data(as_text=True)


def test_embed_asks_for_its_scripts_before_the_files_it_preloads(client):
    """Over HTTP/1.1 a browser opens six connections per host: the map's script (which every
    drawing waits for) and the page's one style sheet (ours, Leaflet's and the palette) come
    first in <head>, before the seven preloaded geometry files, so that they are not queued
    behind them (bench/README.md)."""
    head = client.get("/embed?niveau=commune").get_data(as_text=True).split("</head>")[0]
    requested = re.findall(r'<(?:link rel="(?:stylesheet|preload)"[^>]*href|script src)="([^"]+)"', head)
    bundle = next(i for i, url in enumerate(requested) if "/static/carte-" in url)
    styles = [i for i, url in enumerate(requested) if url.endswith(".css")]
    first_preload = next(i for i, url in enumerate(requested) if "/donnees/" in url)
    assert bundle < 5 and len(styles) == 1 and "/static/styles-" in requested[styles[0]], requested
    assert bundle < first_preload and styles[0] < first_preload, requested


@pytest.mark.parametrize("query", ["theme=alimentation,droits", "theme=insertion&indicateur=distance&niveau=epci",
                                   "departement=62", "legende=oui"])
def test_embed_parameters(client, query):
    response = client.get("/embed?" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    legend = re.search(r'<div class="wm-legend" id="legende"[^>]*>\s*<h2>([^<]+)</h2>', html)
    expected = {"theme=alimentation,droits": "Nombre de projets par département",
                "theme=insertion&indicateur=distance&niveau=epci":
                    "Distance au projet local le plus proche (km) par intercommunalité (EPCI)",
                "departement=62": "Nombre de projets par département",
                "legende=oui": "Nombre de projets par département"}[query]
    assert legend and legend.group(1) == expected


@pytest.mark.parametrize("query", ["theme=alimentation,culture", "niveau=region", "departement=75", "legende=2"])
def test_embed_bad_parameters(client, query):
    response = client.get("/embed?" + query)
    assert response.status_code == 400 and "Valeurs acceptées" in response.get_data(as_text=True)


def test_csp_frame_ancestors_and_nonces(client):
    response = client.get("/embed")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == f"'self' {ALLOWED}"
    assert "'unsafe-inline'" not in csp
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert directives["img-src"] == "'self' data:"
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    # No executable inline block at all (a JSON data block is never run): the map's script
    # is a file, so the page is the same for every request and can be cached whole.
    assert re.findall(r"<(script|style)(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html) == []
    assert f'nonce="{nonce}"' not in html and '<script src="/carte/embed.js?v=' in html
    assert client.get("/embed").headers["Content-Security-Policy"] != csp  # a new nonce each time


@pytest.mark.parametrize("path", ["/", "/embed", "/projets", "/couverture", "/integrer"])
def test_pages_have_no_inline_style_attribute(client, path):
    html = client.get(path).get_data(as_text=True)
    # The only style attribute allowed is inside the snippet shown for copying, and in the
    # snippet's template in /integrer's data island (JSON, never parsed as HTML).
    html = re.sub(r"<textarea.*?</textarea>", "", html, flags=re.S)
    html = re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", html, flags=re.S)
    assert " style=" not in html


def test_tile_host_is_the_only_image_origin(files):
    from webmap.web.config import IGN_PLAN_URL

    app = make_app(tiles_url=IGN_PLAN_URL)
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://data.geopf.fr" in csp


def test_integrer_builds_an_accessible_snippet(client):
    html = client.get("/integrer?theme=droits&departement=80&hauteur=500").get_data(as_text=True)
    snippet = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1)
    assert ("&lt;iframe src=&#34;http://localhost/embed?theme=droits&amp;amp;departement=80"
            "&amp;amp;hauteur=500&#34;") in snippet
    assert "title=&#34;Carte des projets" in snippet and 'height=&#34;500&#34;' in snippet
    assert "/projets&#34;&gt;Liste des projets (version texte de la carte)" in snippet
    assert 'id="apercu"' in html and "Copier le code" in html
    assert client.get("/integrer?hauteur=20").status_code == 400


def test_oembed(client):
    data = client.get("/oembed?url=http://localhost/embed?theme=droits&format=json&maxwidth=640").get_json()
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["width"] == 640 and data["height"] == 600
    assert data["provider_name"] == "Préfecture de la région Hauts-de-France"
    # The text alternative first, in the <blockquote> WordPress keeps (and needs for wp-embed.js).
    assert data["html"] == (
        '<blockquote><a href="http://localhost/projets">Liste des projets (version texte de la carte)</a>'
        '</blockquote><iframe src="http://localhost/embed?theme=droits" title="Carte des projets du plan de '
        'soutien aux associations de lutte contre la pauvreté en Hauts-de-France" width="640" height="600" '
        'style="border:0" loading="lazy" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen>'
        '</iframe>')
    for page in ("http://localhost/", "http://localhost/projets?theme=droits", "http://localhost/projets/"):
        assert client.get("/oembed", query_string={"url": page, "format": "json"}).status_code == 200, page
    assert client.get("/oembed?url=https://ailleurs.example/embed&format=json").status_code == 404
    assert client.get("/oembed?url=http://localhost/couverture&format=json").status_code == 404
    assert client.get("/oembed?url=http://localhost/embed?theme=x&format=json").status_code == 404
    assert client.get("/oembed?url=http://localhost/embed&format=xml").status_code == 501


@pytest.mark.parametrize("path", ["/", "/embed?theme=droits", "/projets"])
def test_oembed_discovery_links_are_absolute_on_every_embeddable_page(path):
    """WordPress ignores a relative discovery link; the public address is the configured one."""
    from urllib.parse import quote

    client = make_app(public_url="https://carte.exemple.gouv.fr", frame_ancestors=(ALLOWED,)).test_client()
    html = client.get(path, headers={"Host": "carte.exemple.gouv.fr"}).get_data(as_text=True)
    links = re.findall(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)
    expected = ("https://carte.exemple.gouv.fr/oembed?url="
                + quote("https://carte.exemple.gouv.fr" + path, safe="") + "&amp;format=json")
    assert links == [expected]
    answer = client.get(html_module.unescape(links[0]).removeprefix("https://carte.exemple.gouv.fr"),
                        headers={"Host": "carte.exemple.gouv.fr"})
    assert answer.status_code == 200 and "https://carte.exemple.gouv.fr/embed" in answer.get_json()["html"]
    assert "application/json+oembed" not in client.get("/couverture").get_data(as_text=True)


def test_only_the_maps_data_is_readable_from_other_origins(client):
    """Sandboxed frames have an opaque origin: the map's data files answer with CORS
    (no credentials); pages, downloads and /oembed do not."""
    shared = ["/donnees/geo/departement.bin", "/donnees/geo/commune/59.bin", "/donnees/zones/aller-vers.bin",
              "/donnees/fiches/hdf-2021-13.html", "/donnees/couverture/droits.json"]
    # Every data address the embed's island gives the browser (slots filled), whichever
    # blueprint serves it: the search's index and the territories' files too.
    html = client.get("/embed").get_data(as_text=True)
    island = json.loads(re.search(r'<script type="application/json" id="wm-data">(.*?)</script>', html, re.S).group(1))

    def addresses(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from addresses(item)
        elif isinstance(value, list):
            for item in value:
                yield from addresses(item)

    fill = {"__dep__": "59", "__niveau__": "epci", "__indicateur__": "projets", "__theme__": "droits",
            island["cardSlot"]: "hdf-2021-13"}
    for address in addresses(island):
        if address.startswith("/donnees/"):
            for slot, value in fill.items():
                address = address.replace(slot, value)
            shared.append(address.split("?")[0])
    assert "/donnees/recherche.json" in shared and "/donnees/territoires/59.json" in shared
    for path in shared:
        response = client.get(path)
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response.headers
    for path in ("/", "/embed", "/projets", "/projets.csv", "/projets.geojson", "/schema.json", "/integrer",
                 "/oembed?url=http://localhost/embed", "/static/webmap.js", "/couverture.csv"):
        assert "Access-Control-Allow-Origin" not in client.get(path).headers, path


def test_embed_declares_its_frame_heights_and_loads_its_frame_script(client):
    html = page_and_map_script(client, "/embed")
    assert '<body class="wm-embed" data-height-default="600" data-height-min="300" data-height-max="1600">' in html
    assert '<script src="/static/frame.js" defer></script>' in html
    assert "WebMap.start(" in html


@pytest.mark.slow
@pytest.mark.xdist_group("export")  # one worker makes the shared static copy
def test_static_export_uses_relative_paths(exported_site):
    out, written = exported_site
    for name in ("index.html", "embed/index.html", "projets/index.html", "couverture/index.html",
                 "projets.csv", "projets.geojson", "schema.json", "donnees/geo/commune/59.bin",
                 "donnees/fiches/hdf-2021-13.html", "static/polygons.js",
                 "static/vendor/leaflet-1.9.3/leaflet.js", "static/webmap.js"):
        assert (out / name).is_file(), name
        assert name in written
    for page in out.rglob("*.html"):
        html = without_footer_links(page.read_text(encoding="utf-8"))
        assert not re.search(r'(src|href)="/(?!/)', html), page
        assert "__webmap_root" not in html and "http://" not in html and "https://" not in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '"./donnees/geo/departement.bin"' in index and re.search(r'src="\./static/carte-[0-9a-f]{16}\.js"', index)
    assert '<script src="./carte/page.js"></script>' in index
    # The downloads' schema, linked beside them at every depth.
    assert '<a href="./schema.json">' in index
    assert '<a href="../schema.json">' in (out / "projets" / "index.html").read_text(encoding="utf-8")
    assert '"./donnees/zones/aller-vers.bin"' in (out / "carte" / "page.js").read_text(encoding="utf-8")
    embed = (out / "embed" / "index.html").read_text(encoding="utf-8")
    assert '"../donnees/geo/departement.bin"' in embed and '<script src="../carte/embed.js"></script>' in embed
    assert '"../donnees/zones/aller-vers.bin"' in (out / "carte" / "embed.js").read_text(encoding="utf-8")
    # A card is inserted into pages at different depths: its links are relative to itself.
    card = (out / "donnees" / "fiches" / "hdf-2021-13.html").read_text(encoding="utf-8")
    assert 'href="../../projets/#hdf-2021-13"' in card
    assert not list(out.parent.glob(".site.*"))  # no staging folder left behind
    # No per-request nonce in a static file, and no inline code: a <meta> policy of 'self'.
    assert "nonce=" not in index
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', index).group(1)
    assert "'unsafe-inline'" not in policy and "script-src 'self';" in policy


def test_export_refuses_non_empty_folder(tmp_path):
    from conftest import run_cli

    (tmp_path / "x.txt").write_text("garder", encoding="utf-8")
    result = run_cli("export", tmp_path)
    assert result.returncode == 2 and "--force" in result.stderr
    assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "garder"


def test_the_same_data_always_gives_the_same_map_script():
    """Folium names its elements at random; ours are numbered: two apps on the same data (two
    servers, two static copies) send the same bytes, and a CDN's copy stays valid."""
    scripts = [[page_and_map_script(make_app().test_client(), url) for url in ("/", "/embed")] for _ in range(2)]
    assert scripts[0] == scripts[1]
    assert "var map_webmap" in scripts[0][0] and re.search(r"var feature_group_\d+\b", scripts[0][0])
