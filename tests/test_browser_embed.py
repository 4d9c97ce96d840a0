"""Embedding in a real browser: allowed and refused origins, and the static export."""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path

import pytest
from conftest import ALLOWED_HOST_PORT, MARKER_TITLE, PageWatch, free_port, static_server

from webmap.mapview.webgeo import DETAIL_ZOOM

pytestmark = pytest.mark.browser


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_folder(folder: Path, port: int):
    handler = partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def embedding(tmp_path_factory, live_server):
    """The app allowing one origin, and two host sites (allowed, not allowed) with the snippet."""
    allowed_port, other_port = ALLOWED_HOST_PORT, free_port()
    app_base = live_server
    import urllib.request

    with urllib.request.urlopen(app_base + "/integrer?theme=tous&hauteur=600") as response:
        page = response.read().decode()
    import html as html_module
    import re

    snippet = html_module.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
    with urllib.request.urlopen(app_base + "/integrer?niveau=epci&hauteur=720") as response:
        tall = html_module.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", response.read().decode(),
                                              re.S).group(1))
    hosts = []
    for port in (allowed_port, other_port):
        folder = tmp_path_factory.mktemp(f"site{port}")
        (folder / "index.html").write_text(
            "<!doctype html><html lang='fr'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            "<title>Préfecture</title></head>"
            f"<body><h1>Page du site de la préfecture</h1>{snippet}</body></html>", encoding="utf-8")
        # The same snippet with the optional host script: the frame takes the map's height.
        (folder / "auto.html").write_text(
            "<!doctype html><html lang='fr'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            "<title>Préfecture</title></head>"
            f"<body><h1>Page du site de la préfecture</h1>{tall}"
            f"<script src='{app_base}/static/integration.js' defer></script></body></html>", encoding="utf-8")
        # As WordPress frames an oEmbed answer: sandboxed, opaque origin, secret in the fragment.
        (folder / "sandbox.html").write_text(
            "<!doctype html><html lang='fr'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            "<title>Préfecture</title><script>window.__heard = []; window.addEventListener('message', "
            "e => window.__heard.push(e.data));</script></head><body><h1>Article</h1>"
            f"<iframe sandbox='allow-scripts' title='Carte' width='500' height='400' "
            f"src='{app_base}/embed?theme=alimentation#?secret=Ab3dE6gH9k'></iframe></body></html>",
            encoding="utf-8")
        hosts.append(serve_folder(folder, port))
    yield app_base, f"http://127.0.0.1:{allowed_port}", f"http://127.0.0.1:{other_port}"
    for server in hosts:
        server.shutdown()


def test_snippet_on_allowed_origin_shows_a_working_map(browser, embedding):
    app_base, allowed, _ = embedding
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    watch = PageWatch(page, [app_base, allowed])
    page.goto(allowed + "/")
    frame = page.frame_locator("iframe")
    frame.locator(".wm-marker[data-projet='hdf-2021-51']").click()
    popup = frame.locator(".leaflet-popup-content .wm-popup")
    popup.wait_for()
    assert "Mets les Watts à Wattrelos" in popup.inner_text()
    assert page.locator("iframe").get_attribute("title").startswith("Carte des projets")
    assert watch.foreign_requests == [] and watch.console_errors == []
    context.close()


def test_host_script_gives_the_frame_the_maps_height_and_hears_it_is_ready(browser, embedding):
    """Our postMessage protocol (docs/integration.md) with static/integration.js: the frame
    keeps the height chosen in /integrer (720 px), grows when the map's open legend needs
    more room, and the host page hears « webmap:ready » once the map is drawn."""
    app_base, allowed, _ = embedding
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.add_init_script("""window.__heard = [];
        window.addEventListener('message', e => window.__heard.push(e.data));""")
    page.goto(allowed + "/auto.html")
    iframe = page.locator("iframe")
    assert iframe.get_attribute("height") == "720"  # the snippet's own attribute
    frame = iframe.element_handle().content_frame()
    frame.wait_for_selector("html[data-ready='1']")
    page.wait_for_function("window.__heard.some(m => m && m.type === 'webmap:ready')")
    heights = page.evaluate("window.__heard.filter(m => m && m.type === 'webmap:height').map(m => m.height)")
    assert heights and heights[-1] == 720 and iframe.get_attribute("height") == "720"
    # A frame too short for its open legend asks for more, and the host script grants it.
    frame.evaluate("""() => { const d = document.querySelector('details.wm-embed-legend');
        d.open = true; const extra = document.createElement('div');
        extra.style.height = '900px'; d.appendChild(extra); d.open = false; d.open = true; }""")
    page.wait_for_function("Number(document.querySelector('iframe').getAttribute('height')) > 900")
    grown = int(iframe.get_attribute("height"))
    assert grown == frame.evaluate("document.querySelector('details.wm-embed-legend').scrollHeight") + 140
    context.close()


def test_map_works_in_a_sandboxed_frame_of_another_origin(browser, embedding):
    """sandbox="allow-scripts" without allow-same-origin (WordPress's oEmbed frame): the map's
    origin is opaque, yet its polygons draw, a card opens, and it tells the page its height
    with WordPress's secret and that it is ready."""
    app_base, allowed, _ = embedding
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    watch = PageWatch(page, [app_base, allowed])
    page.goto(allowed + "/sandbox.html")
    frame = page.locator("iframe").element_handle().content_frame()
    frame.wait_for_selector("html[data-ready='1']")
    assert frame.evaluate("origin") == "null"  # the sandbox is real
    assert frame.evaluate("document.documentElement.dataset.choropleth") == "loaded"
    assert int(frame.evaluate("document.documentElement.getAttribute('data-choropleth-features')")) == 5
    marker = frame.locator(".wm-marker[data-projet]").first
    title = frame.evaluate(MARKER_TITLE, marker.get_attribute("data-projet"))
    marker.click()
    frame.wait_for_function("""() => { const p = document.querySelector('.leaflet-popup-content');
        return p && !p.textContent.includes('Chargement'); }""")
    card = frame.locator(".leaflet-popup-content").inner_text()
    assert title in card and "Fiche indisponible" not in card
    page.wait_for_function("window.__heard.some(m => m && m.type === 'webmap:ready')")
    heard = page.evaluate("window.__heard")
    assert {"message": "height", "value": 600, "secret": "Ab3dE6gH9k"} in heard
    assert {"type": "webmap:height", "height": 600} in heard
    # The search works there too: its index and the territories' files are read cross-origin.
    frame.locator("#recherche").fill("ST QUENTIN")
    frame.wait_for_selector("#recherche-liste [role=option]")
    frame.locator("#recherche").press("ArrowDown")
    frame.locator("#recherche").press("Enter")
    frame.wait_for_function("() => { const c = document.querySelector('.wm-territory-card');"
                            " return c && c.textContent.includes('habitants'); }")
    assert "Saint-Quentin (02)" in frame.locator(".wm-territory-card").inner_text()
    assert watch.foreign_requests == [] and watch.console_errors == []
    context.close()


def test_snippet_on_other_origin_is_refused(browser, embedding):
    _, _, other = embedding
    context = browser.new_context()
    page = context.new_page()
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=15000):
        page.goto(other + "/")
    frame = page.frames[1] if len(page.frames) > 1 else None
    markers = frame.locator(".wm-marker").count() if frame else 0
    assert markers == 0
    context.close()


@pytest.mark.xdist_group("export")  # one worker makes the shared static copy
def test_static_export_served_by_http_server(browser, exported_site):
    out, _ = exported_site
    with static_server(out) as base:
        context = browser.new_context()
        page = context.new_page()
        watch = PageWatch(page, [base])
        page.goto(base + "/")
        page.wait_for_selector("html[data-choropleth=loaded]")
        assert page.locator(".leaflet-marker-pane .wm-marker").count() == 41
        # Every view switchable in the copy, as in the app (the files under donnees/vues/), from
        # the region's view (a card opened first pans the map: fewer communes in view).
        for select, value in (("#indicateur", "distance"), ("#niveau", "commune"), ("#theme", "insertion")):
            page.select_option(select, value)
            page.wait_for_function("() => document.documentElement.dataset.view === 'loaded' && "
                                   "document.documentElement.dataset.ready === '1'")
        assert page.evaluate("() => location.search") == "?niveau=commune&indicateur=distance&theme=insertion"
        assert page.locator("#legende h3").inner_text() == \
            "Distance au projet local le plus proche (km) par commune"
        assert page.locator("html").get_attribute("data-choropleth-features") == "3782"
        assert page.locator(".leaflet-marker-pane .wm-marker").count() == 9
        # An address with a view, which no server reads here: the page applies it itself.
        for path in ("/?niveau=epci&indicateur=projets_100k&theme=droits&departement=80",
                     "/embed/?niveau=epci&indicateur=projets_100k&theme=droits"):
            page.goto(base + path)
            page.wait_for_function("() => document.documentElement.dataset.view === 'loaded' && "
                                   "document.documentElement.dataset.ready === '1'")
            assert page.locator("#legende :is(h2, h3)").inner_text() == \
                "Projets pour 100 000 habitants par intercommunalité (EPCI)"
        page.goto(base + "/")
        page.wait_for_selector("html[data-ready='1']")
        page.locator(".wm-marker[data-projet='hdf-2021-13']").click()
        card = page.locator(".leaflet-popup-content .wm-popup")
        assert "Carvin" in card.inner_text()
        # The card's links, relative to the card's file, still reach the list and the project's page.
        assert [link.get_attribute("href") for link in card.get_by_role("link").all()] == [
            base + "/projets/hdf-2021-13/", base + "/projets/#hdf-2021-13"]
        # The project's page, and its permanent address: the copy's own, wherever it is published.
        page.goto(base + "/projets/hdf-2021-13/")
        assert "Carvin" in page.locator("h1").inner_text()
        assert page.locator("#lien-permanent").input_value() == base + "/projets/hdf-2021-13/"
        page.goto(base + "/projets/")
        assert page.locator("tbody tr").count() == 54
        page.get_by_role("link", name="Mets les Watts à Wattrelos", exact=True).click()
        page.locator(".leaflet-popup-content .wm-popup").wait_for()
        assert "Wattrelos" in page.locator(".leaflet-popup-content .wm-popup").inner_text()
        assert watch.foreign_requests == [] and watch.console_errors == [] and watch.failed_responses == []
        context.close()


def test_embed_preloads_commune_files_only_in_frames_that_draw_them(browser, live_server):
    """The preloads' media queries and Leaflet agree: a frame that shows the region at the
    commune layer's zoom uses the preloaded overview files, one that reaches the detail
    zoom the detailed files (each downloaded once, by the preload, used by the layer); a
    narrower frame stays below the layer's zoom and downloads no commune file."""
    import re
    import urllib.request

    with urllib.request.urlopen(live_server + "/embed?niveau=commune") as response:
        html = response.read().decode()
    overview = re.search(
        r'commune-apercu/59\.bin[^"]*" media="\(min-width: (\d+)px\) and \(min-height: (\d+)px\) and', html)
    detail = re.search(r'commune/59\.bin[^"]*" media="\(min-width: (\d+)px\) and \(min-height: (\d+)px\)"', html)
    shown = int(overview.group(1)), int(overview.group(2))
    detailed = int(detail.group(1)), int(detail.group(2))
    for size, folder, zoom in ((detailed, "commune", 9), (shown, "commune-apercu", 7),
                               ((shown[0] - 40, shown[1]), None, 6)):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = context.new_page()
        fetched = []
        page.on("request", lambda r: "/donnees/geo/commune" in r.url and fetched.append(r.url))
        page.goto(live_server + "/embed?niveau=commune")
        page.wait_for_selector("html[data-choropleth=loaded]" if folder else "html[data-choropleth=zoom]")
        page.wait_for_load_state("networkidle")  # any second download would have started
        assert page.evaluate("WebMap.map.getZoom()") == zoom
        if folder:
            assert len(fetched) == len(set(fetched)) == 5, fetched  # preloaded once, used by the layer
            assert all(f"/donnees/geo/{folder}/" in url for url in fetched), fetched
        else:
            assert fetched == []
        context.close()


@pytest.mark.parametrize("size, folder", [((800, 600), "apercu/"), ((1100, 1320), "")])
def test_embed_preloads_the_outline_and_the_zones_it_draws_first(browser, live_server, size, folder):
    """Fetched while the scripts load, then used by their layers: each file once; simplified
    in a frame that shows the region below the detail zoom, in detail in one that reaches it."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    fetched = []
    page.on("request", lambda r: ("departement.bin" in r.url or "/donnees/zones/" in r.url)
            and fetched.append(r.url.split("?")[0].replace(live_server, "")))
    page.goto(live_server + "/embed")
    page.wait_for_selector("html[data-ready='1']")
    page.wait_for_load_state("networkidle")
    preloaded = page.evaluate("() => [...document.querySelectorAll('link[rel=preload]')]"
                              ".filter(l => matchMedia(l.media).matches).map(l => new URL(l.href).pathname)")
    zoom = page.evaluate("() => WebMap.map.getZoom()")
    assert (zoom >= DETAIL_ZOOM) == (folder == ""), zoom
    assert sorted(fetched) == sorted(preloaded) == [f"/donnees/geo/{folder}departement.bin",
                                                   f"/donnees/zones/{folder}aller-vers.bin"]
    context.close()


def test_integrer_script_builds_the_servers_snippet(browser, live_server):
    """The snippet rebuilt in the page as the form changes is the one the server writes for
    the same choices (webmap/web/snippet.py is its only source)."""
    import html as html_module
    import re
    import urllib.request

    query = "theme=droits&indicateur=projets_100k&departement=80&legende=non&recherche=non&hauteur=500"
    with urllib.request.urlopen(f"{live_server}/integrer?{query}") as response:
        page = response.read().decode()
    expected = html_module.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))

    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/integrer")
    before = page.input_value("#snippet")
    page.select_option("#i-theme", "droits")
    page.select_option("#i-indicateur", "projets_100k")
    page.select_option("#i-departement", "80")
    page.select_option("#i-legende", "non")
    page.select_option("#i-recherche", "non")
    page.fill("#i-hauteur", "500")
    page.dispatch_event("#i-hauteur", "change")
    assert page.input_value("#snippet") == expected != before
    assert page.get_attribute("#apercu", "height") == "500"
    assert page.get_attribute("#apercu", "src") == ("/embed?indicateur=projets_100k&theme=droits"
                                                     "&departement=80&legende=non&recherche=non")
    context.close()
