"""What a person does with the map, in Chromium against gunicorn (tiles off, offline)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def open_map(page, base: str, query: str = "") -> None:
    page.goto(base + "/" + query)
    page.wait_for_selector("html[data-choropleth=loaded]", timeout=30_000)


def visible_markers(page, theme_color: str | None = None) -> int:
    selector = ".leaflet-marker-pane .wm-marker"
    if theme_color:
        return page.locator(f"{selector} svg [fill='{theme_color}'], {selector} svg [stroke='{theme_color}']").count()
    return page.locator(selector).count()


def test_map_loads_without_console_error_or_foreign_request(page, live_server):
    open_map(page, live_server)
    page.wait_for_selector("html[data-aller-vers=loaded]")
    assert page.locator(".leaflet-marker-pane .wm-marker").count() == 41  # 54 minus 13 region-wide
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "carte.png"))


def test_layer_control_lists_the_three_themes(page, live_server):
    open_map(page, live_server)
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    text = " | ".join(labels)
    for theme in ("Alimentation et biens essentiels (28)", "Accès aux droits et isolement (15)",
                  "Prévention et insertion (11)"):
        assert theme in text


def test_hiding_a_theme_hides_its_markers(page, live_server):
    open_map(page, live_server)
    before = page.locator(".leaflet-marker-pane .wm-marker").count()
    page.get_by_label(re.compile(r"^\s*Alimentation et biens essentiels \(28\)")).uncheck()
    after = page.locator(".leaflet-marker-pane .wm-marker").count()
    assert after == before - 21  # 28 food projects, 7 of them region-wide (not on the map)
    assert page.locator(".wm-marker[data-projet='hdf-2021-13']").count() == 0  # Carvin (food)
    assert page.locator(".wm-marker[data-projet='hdf-2021-51']").count() == 1  # Wattrelos (insertion)
    page.get_by_label(re.compile(r"^\s*Alimentation et biens essentiels \(28\)")).check()
    assert page.locator(".leaflet-marker-pane .wm-marker").count() == before


def test_clicking_a_marker_opens_its_popup(page, live_server):
    open_map(page, live_server)
    page.locator(".wm-marker[data-projet='hdf-2021-13']").click()
    popup = page.locator(".leaflet-popup-content .wm-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert "Agrandissement de la surface du site de stockage de Carvin" in text
    assert "Montant non publié" in text and "Carvin (62)" in text


def test_keyboard_opens_a_popup(page, live_server):
    open_map(page, live_server)
    marker = page.locator(".wm-marker[data-projet='hdf-2021-11']")
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content .wm-popup")
    popup.wait_for()
    assert "Bus Accs'Aisne" in popup.inner_text()
    text = popup.inner_text().lower()  # badges are upper-cased by CSS
    assert "aller vers" in text and "emplacement approximatif" in text


def test_regional_project_reachable_from_the_panel(page, live_server):
    open_map(page, live_server)
    page.locator("button[data-projet='hdf-2021-29']").click()
    popup = page.locator(".leaflet-popup-content .wm-popup")
    popup.wait_for()
    assert "Fraternibus par le Secours Catholique" in popup.inner_text()
    assert "Projet régional" in popup.inner_text()


def test_project_link_from_the_list_opens_it_on_the_map(page, live_server):
    page.goto(live_server + "/projets")
    assert page.locator("tbody tr").count() == 54
    page.locator("a[href='/?projet=hdf-2021-51']").click()
    popup = page.locator(".leaflet-popup-content .wm-popup")
    popup.wait_for()
    assert "Mets les Watts à Wattrelos" in popup.inner_text()


def server_legend(base: str, query: str) -> str:
    """The legend the server prints for a view (the page as first rendered, without JS)."""
    import html as html_module
    import urllib.request

    with urllib.request.urlopen(base + "/" + query) as response:
        page = response.read().decode()
    block = re.search(r'<div class="wm-legend" id="legende"[^>]*>(.*?)</div>', page, re.S).group(1)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", block)).split())


def wait_view_ready(page) -> None:
    page.wait_for_function("() => document.documentElement.dataset.view === 'loaded' && "
                           "document.documentElement.dataset.ready === '1'")


def test_switching_views_with_the_keyboard_never_reloads(page, live_server):
    """Indicator, level and theme change in place: no new page, focus stays on the select,
    the address carries the view, the legend is the server's for that address, a polite
    live region says what changed."""
    open_map(page, live_server)
    wait_view_ready(page)
    page.evaluate("() => { window.sameDocument = true; }")
    assert page.locator("#legende h3").inner_text() == "Nombre de projets par département"

    page.focus("#indicateur")
    page.keyboard.press("ArrowDown")  # projets -> projets_100k
    wait_view_ready(page)
    assert page.evaluate("() => location.search") == "?indicateur=projets_100k"
    assert page.evaluate("() => document.activeElement.id") == "indicateur"
    assert page.locator("#annonce-vue").inner_text() == (
        "Carte mise à jour : Projets pour 100 000 habitants par département, tous les thèmes.")

    page.focus("#niveau")
    page.keyboard.press("End")  # the last level: communes
    wait_view_ready(page)
    page.select_option("#theme", "droits")
    wait_view_ready(page)
    query = page.evaluate("() => location.search")
    assert query == "?niveau=commune&indicateur=projets_100k&theme=droits"
    assert page.evaluate("() => window.sameDocument") is True  # never reloaded
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    assert " ".join(page.locator("#legende").inner_text().split()) == server_legend(live_server, query)
    assert page.locator("html").get_attribute("data-choropleth-features") == "3782"
    assert visible_markers(page) == 11  # the placed projects of « droits » only
    assert page.locator(".leaflet-control-layers-overlays").inner_text().count(
        "Projets pour 100 000 habitants par commune") == 1
    # The address is the view: opened as such, it shows the same.
    second = page.context.new_page()
    open_map(second, live_server, query)
    assert second.locator("#legende").inner_text() == page.locator("#legende").inner_text()
    assert visible_markers(second) == 11
    assert page.watch.console_errors == [] and page.watch.failed_responses == []


def test_every_indicator_and_theme_switch_matches_the_servers_legend(page, live_server):
    open_map(page, live_server, "?niveau=epci")
    for metric in ("projets_100k", "financement", "distance", "projets"):
        for theme in ("insertion", "tous"):
            page.select_option("#indicateur", metric)
            page.select_option("#theme", theme)
            wait_view_ready(page)
            query = page.evaluate("() => location.search")
            assert " ".join(page.locator("#legende").inner_text().split()) == server_legend(live_server, query)
    assert page.watch.console_errors == [] and page.watch.failed_responses == []


def test_funding_view_explains_missing_amounts(page, live_server):
    open_map(page, live_server, "?indicateur=financement")
    assert "Montants non publiés" in page.locator("#legende").inner_text()


def test_projects_table_has_54_rows_and_filters(page, live_server):
    page.goto(live_server + "/projets")
    assert page.locator("table.wm-table tbody tr").count() == 54
    page.select_option("#f-theme", "droits")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"theme=droits"))
    assert page.locator("table.wm-table tbody tr").count() == 15
    assert page.watch.console_errors == []


def test_computed_zones_blanches_layer_and_distance_metric(page, live_server):
    open_map(page, live_server, "?theme=droits&indicateur=distance&niveau=commune")
    assert page.locator("#legende h3").inner_text() == "Distance au projet local le plus proche (km) par commune"
    page.get_by_label("Zones blanches calculées — Accès aux droits et isolement").check()
    page.wait_for_selector("html[data-zones-calculees-droits=loaded]")
    uncovered = page.evaluate("fetch('/donnees/couverture/droits.json').then(r => r.json())")
    shown = page.locator("html").get_attribute("data-zones-calculees-droits-features")
    assert int(shown) == len(uncovered)
    # Hover the town hall of an uncovered commune (canvas layer: no DOM path to point at).
    code = "62215"  # Carvin: no local "droits" project
    assert code in uncovered
    page.evaluate("() => { WebMap.map.setView([50.49145, 2.9582], 12, {animate: false}); }")
    next_frames(page)
    box = page.locator(".wm-map .folium-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2 + 3, box["y"] + box["height"] / 2 + 3)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "Carvin" in tooltip.inner_text() and "habitants sans projet local" in tooltip.inner_text()
    assert "Projet local le plus proche" in tooltip.inner_text()
    assert page.watch.console_errors == []


def test_browser_decodes_the_polygons_as_python_does(page, live_server):
    """static/polygons.js and webmap/mapview/polygon_codec.py read the same bytes the same way."""
    import urllib.request

    from webmap.mapview.polygon_codec import decode_polygons

    open_map(page, live_server)
    with urllib.request.urlopen(live_server + "/donnees/geo/commune/62.bin") as response:
        expected = decode_polygons(response.read())
    got = page.evaluate("""() => fetch('/donnees/geo/commune/62.bin').then(r => r.arrayBuffer())
        .then(WebMap.decodePolygons).then(d => {
            const ring = r => Array.from(d.coords.subarray(2 * d.ringStart[r], 2 * d.ringStart[r + 1]));
            const rings = [];
            for (let i = 0; i < d.count; i++) rings.push(d.featureRing[i + 1] - d.featureRing[i]);
            return {count: d.count, properties: d.properties, rings, first: ring(0),
                    last: ring(d.featureRing[d.count] - 1)};
        })""")
    assert got["count"] == 887 and got["properties"] == expected.properties
    assert got["rings"] == [len(f) for f in expected.rings]
    for js, py in ((got["first"], expected.rings[0][0]), (got["last"], expected.rings[-1][-1])):
        assert js == pytest.approx([c for point in py for c in point], abs=1e-9)


def next_frames(page) -> None:
    """Until the browser has painted twice (a redraw requested now has happened)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def eventually(check, seconds: float = 5.0) -> bool:
    """Poll a condition (a canvas redraw, a fetched file) instead of sleeping a fixed time."""
    import time

    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


CANVAS_ALPHA = """(lat, lon, dx, dy) => {
    const canvas = document.querySelector('.leaflet-wm-polygons-pane canvas.wm-polygons');
    const at = WebMap.map.latLngToContainerPoint([lat, lon]);
    const box = canvas.getBoundingClientRect(), mapBox = WebMap.map.getContainer().getBoundingClientRect();
    const x = (at.x + dx + mapBox.left - box.left) * canvas.width / box.width;
    const y = (at.y + dy + mapBox.top - box.top) * canvas.height / box.height;
    return canvas.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data[3];
}"""


def canvas_alpha(page, lat: float, lon: float, dx: float = 0, dy: float = 0) -> int:
    """Opacity of the choropleth canvas at a place, or `dx`, `dy` screen pixels from it
    (0: nothing drawn there)."""
    return page.evaluate(f"(args) => ({CANVAS_ALPHA})(...args)", [lat, lon, dx, dy])


def test_commune_choropleth_is_drawn_where_communes_are_and_hovering_names_them(page, live_server):
    open_map(page, live_server, "?niveau=commune")
    assert canvas_alpha(page, 50.49145, 2.9582) > 0  # Carvin
    assert canvas_alpha(page, 51.3, 1.75) == 0  # the Channel
    page.evaluate("() => { WebMap.map.setView([50.49145, 2.9582], 12, {animate: false}); }")
    next_frames(page)
    assert eventually(lambda: canvas_alpha(page, 50.49145, 2.9582) > 0)  # redrawn, same place
    box = page.locator(".wm-map .folium-map").bounding_box()
    # 60 px (1.4 km) south of the town hall, whose project marker takes the pointer itself.
    page.mouse.move(box["x"] + box["width"] / 2 + 3, box["y"] + box["height"] / 2 + 63)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 60)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip_says(page, "Carvin")  # the commune names come at the first hover
    assert "projet(s)" in tooltip.inner_text()
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)  # leaves Carvin
    assert "Carvin" not in (tooltip.inner_text() if tooltip.count() else "")
    # The layer control hides and shows the choropleth (the canvas is shared with outlines).
    toggle = page.get_by_label("Nombre de projets par commune")
    toggle.uncheck()
    assert eventually(lambda: canvas_alpha(page, 50.49145, 2.9582) == 0)
    toggle.check()
    assert eventually(lambda: canvas_alpha(page, 50.49145, 2.9582) > 0)
    assert page.watch.console_errors == []


def test_served_area_outline_names_its_project_on_hover(page, live_server):
    """An outline (not filled) answers the pointer on its stroke."""
    open_map(page, live_server, "?niveau=commune")
    page.wait_for_selector("html[data-aller-vers=loaded]")
    corner, title = page.evaluate("""() => fetch('/donnees/zones/aller-vers.bin').then(r => r.arrayBuffer())
        .then(WebMap.decodePolygons).then(d => [[d.coords[1], d.coords[0]], d.properties.titre[0]])""")
    page.evaluate(f"() => {{ WebMap.map.setView({corner}, 11, {{animate: false}}); }}")
    next_frames(page)
    box = page.locator(".wm-map .folium-map").bounding_box()
    at = page.evaluate(f"() => WebMap.map.latLngToContainerPoint({corner})")
    page.mouse.move(box["x"] + at["x"] + 2, box["y"] + at["y"] + 2)
    page.mouse.move(box["x"] + at["x"] + 1, box["y"] + at["y"])
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert title in tooltip.inner_text()
    assert page.watch.console_errors == []


def test_polygon_layers_come_back_after_all_were_hidden(page, live_server):
    """Hiding every polygon layer removes the shared canvas; showing one brings it back."""
    open_map(page, live_server)  # departments: choropleth and "aller vers" outlines only
    page.wait_for_selector("html[data-aller-vers=loaded]")
    choropleth = page.get_by_label("Nombre de projets par département")
    outlines = page.get_by_label("Zones desservies par les unités « aller vers »")
    # Both in the same frame: the first removal asks for a redraw the second one cancels.
    page.evaluate("""() => document.querySelectorAll('.leaflet-control-layers-overlays input')
        .forEach(box => {
          if (box.checked && /département|aller vers/.test(box.parentElement.textContent)) box.click();
        })""")
    assert not choropleth.is_checked() and not outlines.is_checked()
    assert page.locator("canvas.wm-polygons").count() == 0
    choropleth.check()
    assert eventually(lambda: page.locator("canvas.wm-polygons").count() == 1
                      and canvas_alpha(page, 50.49145, 2.9582) > 0)
    assert page.watch.console_errors == []


def test_a_layer_that_cannot_load_is_said_in_french(page, live_server):
    page.route("**/donnees/geo/**departement.bin*", lambda route: route.fulfill(status=503, body="indisponible"))
    rejections = []
    page.on("pageerror", lambda error: rejections.append(str(error)))
    page.goto(live_server + "/")
    page.wait_for_selector("html[data-choropleth=error]")
    notice = page.locator(".wm-notice[role=alert]")
    assert "Impossible de charger la couche « Nombre de projets par département »" in notice.inner_text()
    assert rejections == []  # no unhandled rejection
    assert page.locator(".leaflet-marker-pane .wm-marker").count() == 41  # the rest still works


def region_extremes(page, overview: bool = False) -> tuple[list[float], list[float]]:
    """The northernmost and westernmost vertices of the departments, as [lat, lon], as drawn
    in detail or, below the detail zoom, simplified (`overview`)."""
    url = "/donnees/geo/apercu/departement.bin" if overview else "/donnees/geo/departement.bin"
    return page.evaluate("""(url) => fetch(url).then(r => r.arrayBuffer())
        .then(WebMap.decodePolygons).then(d => {
            let north = 0, west = 0;
            for (let k = 0; k < d.coords.length; k += 2) {
                if (d.coords[k + 1] > d.coords[north + 1]) north = k;
                if (d.coords[k] < d.coords[west]) west = k;
            }
            return [[d.coords[north + 1], d.coords[north]], [d.coords[west + 1], d.coords[west]]];
        })""", url)


def assert_drawn_at_the_edge(page, vertex, outward) -> None:
    """Drawn at a vertex of the region's edge, nothing 5 px outside it: the canvas is where
    the map says the place is (a shift of a few pixels fails)."""
    assert canvas_alpha(page, *vertex) > 0
    assert canvas_alpha(page, *vertex, dx=5 * outward[0], dy=5 * outward[1]) == 0


@contextmanager
def redrawn_after_move(page):
    """Waits, after the block (a drag, an animated zoom), for the map's next moveend and the
    canvas's redraw."""
    page.evaluate("""() => { window.wmMoved = new Promise(done => WebMap.map.once('moveend',
        () => requestAnimationFrame(() => requestAnimationFrame(done)))); }""")
    yield
    page.evaluate("() => window.wmMoved")


@pytest.mark.parametrize("scale", [1, 2])
def test_polygons_stay_on_their_places_after_dragging_and_animated_zooms(browser, live_server, scale):
    """The polygon canvas is placed by the map's events: after a drag and after animated
    zooms it still lines up with the map, on ordinary and HiDPI screens."""
    from conftest import PageWatch

    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=scale)
    page = context.new_page()
    watch = PageWatch(page, [live_server])
    open_map(page, live_server)
    next_frames(page)
    canvas = page.evaluate("() => { const c = document.querySelector('canvas.wm-polygons');"
                           " return [c.width, c.getBoundingClientRect().width]; }")
    assert canvas[0] == scale * canvas[1]  # as many pixels as the screen has
    north, west = region_extremes(page, overview=True)  # the region's zoom: the simplified shapes
    up, left = (0, -1), (-1, 0)
    assert_drawn_at_the_edge(page, north, up)
    assert_drawn_at_the_edge(page, west, left)
    box = page.locator(".wm-map .folium-map").bounding_box()
    start = (box["x"] + box["width"] - 80, box["y"] + 80)  # over Belgium: no marker, no control
    page.mouse.move(*start)
    page.mouse.down()
    with redrawn_after_move(page):  # at the end of the drag, or of its inertia
        page.mouse.move(start[0] + 50, start[1] + 30, steps=5)
        page.mouse.move(start[0] + 90, start[1] + 60, steps=5)
        page.mouse.up()
    assert_drawn_at_the_edge(page, north, up)
    assert_drawn_at_the_edge(page, west, left)
    with redrawn_after_move(page):
        page.evaluate("(at) => WebMap.map.setZoomAround(at, WebMap.map.getZoom() + 2)", north)
    page.wait_for_selector("html[data-choropleth=loaded]")  # in detail from the detail zoom on, then kept
    north, west = region_extremes(page)
    next_frames(page)
    assert_drawn_at_the_edge(page, north, up)
    # During a zoom animation (its CSS transition off: at its end at once, measured once the
    # map has its new view), the drawing is moved and scaled to where the map is going.
    with redrawn_after_move(page):
        during = page.evaluate(f"""(at) => new Promise(done => {{
            const alpha = {CANVAS_ALPHA};
            document.querySelector('canvas.wm-polygons').style.transition = 'none';
            WebMap.map.once('zoomanim', () => Promise.resolve().then(() => done(
                [alpha(at[0], at[1], 0, 0), alpha(at[0], at[1], 0, -5)])));
            const around = WebMap.map.latLngToContainerPoint(at).add([150, 100]);  // the vertex moves
            WebMap.map.setZoomAround(around, WebMap.map.getZoom() - 1);
        }})""", north)
    assert during[0] > 0 and during[1] == 0
    with redrawn_after_move(page):
        page.evaluate("(at) => WebMap.map.setZoomAround(at, WebMap.map.getZoom() - 1)", north)
    assert_drawn_at_the_edge(page, north, up)
    assert_drawn_at_the_edge(page, west, left)
    assert watch.console_errors == []
    context.close()


def test_two_maps_on_one_page_each_have_their_canvas_hover_and_tooltip(page, live_server):
    """The polygon canvas, hovered feature and tooltip belong to each map."""
    open_map(page, live_server)
    page.wait_for_selector("html[data-aller-vers=loaded]")
    page.evaluate("""() => {
        const div = document.createElement('div');
        div.id = 'second-map';
        div.style.cssText = 'position: fixed; right: 0; top: 0; width: 300px; height: 300px; z-index: 5000';
        document.body.appendChild(div);
        window.second = L.map(div, {zoomControl: false}).setView([50.49145, 2.9582], 7);
        WebMap.polygonLayer('/donnees/geo/departement.bin', {key: 'second', label: 'Second',
            style: {color: '#000000', weight: 1, fillColor: '#ff0000', fillOpacity: 0.5}}).addTo(window.second);
    }""")
    page.wait_for_selector("html[data-second=loaded]")
    assert page.locator("canvas.wm-polygons").count() == 2
    assert page.locator("#second-map canvas.wm-polygons").count() == 1
    box = page.locator("#second-map").bounding_box()
    page.mouse.move(box["x"] + 153, box["y"] + 153)
    page.mouse.move(box["x"] + 150, box["y"] + 150)  # Carvin, Pas-de-Calais
    tooltip = page.locator("#second-map .leaflet-tooltip")
    tooltip.wait_for()
    assert "Pas-de-Calais" in tooltip.inner_text()
    assert page.locator(".wm-map .leaflet-tooltip").count() == 0  # the first map's own stays closed
    # Hiding every layer of the first map leaves the second one drawn.
    page.evaluate("""() => document.querySelectorAll('.leaflet-control-layers-overlays input')
        .forEach(box => {
          if (box.checked && /département|aller vers/.test(box.parentElement.textContent)) box.click();
        })""")
    assert page.locator(".wm-map canvas.wm-polygons").count() == 0
    assert page.evaluate("""() => {
        const canvas = document.querySelector('#second-map canvas.wm-polygons');
        const at = window.second.latLngToContainerPoint([50.49145, 2.9582]);
        const ratio = canvas.width / canvas.getBoundingClientRect().width;
        const box = canvas.getBoundingClientRect(), mapBox = window.second.getContainer().getBoundingClientRect();
        return canvas.getContext('2d').getImageData(Math.round((at.x + mapBox.left - box.left) * ratio),
            Math.round((at.y + mapBox.top - box.top) * ratio), 1, 1).data[3];
    }""") > 0
    assert page.watch.console_errors == []


def test_many_projects_are_drawn_on_one_canvas_and_still_open_their_cards(page, live_server):
    """Beyond WebMap.DOM_MARKERS_MAX projects (the national scale), markers are drawn on a
    canvas: no element per marker, yet each answers the pointer and opens its card, and
    the list's links still open them. Here the limit is lowered to below the 41 markers."""
    page.add_init_script("window.WebMap = { DOM_MARKERS_MAX: 10 };")
    open_map(page, live_server)
    page.wait_for_selector("html[data-ready='1']")
    assert page.locator("html").get_attribute("data-markers") == "41"
    assert visible_markers(page) == 0
    assert page.locator(".leaflet-marker-pane canvas, .leaflet-overlay-pane canvas").count() >= 1
    where = """() => {
        const m = WebMap.markers['hdf-2021-13'].marker, p = WebMap.map.latLngToContainerPoint(m.getLatLng());
        const box = WebMap.map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }"""
    page.mouse.move(*page.evaluate(where))  # its tooltip and its card are bound when first needed
    title = page.evaluate("() => WebMap.markers['hdf-2021-13'].marker.project.title")
    assert title in page.locator(".leaflet-tooltip").all_inner_texts()  # beside a served area's
    card = page.locator(".leaflet-popup-content .wm-popup")
    for _ in range(2):  # bound by the first click, opened by Leaflet's own on the second
        page.mouse.click(*page.evaluate(where))  # where the card's opening panned it
        card.wait_for()
        assert "Carvin" in card.inner_text()
        page.evaluate("() => WebMap.map.closePopup()")
        page.wait_for_selector(".leaflet-popup", state="detached")  # not while it fades out
    page.evaluate("() => WebMap.openProject('hdf-2021-01')")
    card.wait_for()
    assert "plateforme logistique régionale" in card.inner_text()
    assert page.watch.console_errors == []


def test_communes_come_simplified_at_low_zoom_and_in_detail_when_zoomed_in(page, live_server):
    """Levels of detail: the region's overview draws the simplified files; zooming in on
    Lille replaces the Nord's with its detailed file, with the same communes and values. The
    names, for tooltips only, come when the pointer first moves over the communes."""
    fetched = []
    page.on("request", lambda r: "/donnees/geo/commune" in r.url and fetched.append(r.url.split("?")[0]))
    open_map(page, live_server, "?niveau=commune")
    page.wait_for_selector("html[data-ready='1']")
    assert fetched and all("/commune-apercu/" in url for url in fetched)  # no names yet
    assert page.locator("html").get_attribute("data-choropleth-features") == "3782"
    page.evaluate("() => WebMap.map.setView([50.63, 3.06], 11, {animate: false})")
    page.wait_for_function("() => document.documentElement.dataset.ready === '1' && "
                           "document.documentElement.dataset.choropleth === 'loaded'")
    assert live_server + "/donnees/geo/commune/59.bin" in fetched
    assert page.locator("html").get_attribute("data-choropleth-features") == "3782"
    box = page.locator(".folium-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip_says(page, "Lille")  # the open tooltip is rewritten with the name
    assert page.locator(".leaflet-tooltip").inner_text().startswith("Lille\n")
    assert live_server + "/donnees/geo/commune-noms/59.json" in fetched
    assert page.watch.console_errors == []


def tooltip_says(page, text: str) -> None:
    """Wait until the open tooltip holds `text`."""
    page.wait_for_function("(text) => { const tip = document.querySelector('.leaflet-tooltip');"
                           " return !!tip && tip.textContent.includes(text); }", arg=text)


def test_commune_names_come_after_a_switch_to_the_commune_level(page, live_server):
    """The names are asked by the first tooltip of the layer that needs them, also when that
    layer comes after other tooltips (departments first, then communes)."""
    open_map(page, live_server)
    wait_view_ready(page)
    box = page.locator(".folium-map").bounding_box()
    page.evaluate("() => WebMap.map.setView([50.63, 3.06], 11, {animate: false})")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip_says(page, "Nord")  # the departments' layer
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.select_option("#niveau", "commune")
    wait_view_ready(page)
    page.mouse.move(box["x"] + box["width"] / 2 + 1, box["y"] + box["height"] / 2)
    tooltip_says(page, "Lille")


def test_filters_and_the_list_of_projects_in_view_follow_the_map(page, live_server):
    """The filters hide markers by what they are; the list says what is on screen, changes
    when the map moves, and each entry opens its card (keys only)."""
    open_map(page, live_server)
    page.wait_for_selector("html[data-ready='1']")
    in_view = page.locator("#projets-en-vue button[data-projet]")
    page.wait_for_function("() => document.querySelectorAll('#projets-en-vue button').length === 41")
    data = page.evaluate("() => Object.values(WebMap.data().markers).flat()")
    mobile = {m["id"] for m in data if m["allerVers"]}
    page.locator("#filtre-aller-vers").focus()
    page.keyboard.press("Space")
    page.wait_for_function(f"() => document.querySelectorAll('#projets-en-vue button').length === {len(mobile)}")
    assert {b.get_attribute("data-projet") for b in in_view.all()} == mobile
    assert page.locator(".wm-marker[data-projet]").count() == len(mobile)
    page.keyboard.press("Space")  # off again
    page.select_option("#filtre-precision", "approximatif")
    approximate = {m["id"] for m in data if not m["precise"]}
    page.wait_for_function(f"() => document.querySelectorAll('#projets-en-vue button').length === {len(approximate)}")
    page.select_option("#filtre-precision", "")
    page.wait_for_function("() => document.querySelectorAll('#projets-en-vue button').length === 41")
    # The map moves to Amiens: the list keeps only what is now on screen.
    page.evaluate("() => WebMap.map.setView([49.894, 2.296], 12, {animate: false})")
    page.wait_for_function("() => document.querySelectorAll('#projets-en-vue button').length < 41")
    shown = page.evaluate("() => [...document.querySelectorAll('#projets-en-vue button')].map(b => b.dataset.projet)")
    west, south, east, north = page.evaluate("() => WebMap.map.getBounds().toBBoxString().split(',').map(Number)")
    dx, dy = (east - west) * 0.02, (north - south) * 0.02  # a marker on the very edge may go either way
    for m in data:
        if west + dx <= m["lon"] <= east - dx and south + dy <= m["lat"] <= north - dy:
            assert m["id"] in shown, m["id"]
        elif not (west - dx <= m["lon"] <= east + dx and south - dy <= m["lat"] <= north + dy):
            assert m["id"] not in shown, m["id"]
    assert shown
    in_view.first.focus()
    chosen = in_view.first.get_attribute("data-projet")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement?.classList.contains('wm-popup-title')")
    assert page.evaluate("() => document.activeElement.closest('.leaflet-popup') !== null")
    # Opening the card moves the map, which rebuilds the list, before or after Escape: focus
    # comes back to the project's entry in the list as it is, not to the top of the page.
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    page.evaluate("""() => { document.querySelectorAll('#projets-en-vue button').forEach(b => { b.old = true; });
                             WebMap.map.fire('moveend'); }""")  # one more rebuild, surely after Escape
    page.wait_for_function("""(id) => { const a = document.activeElement;
        return a.closest('#projets-en-vue') !== null && !a.old && a.dataset.projet === id; }""", arg=chosen)


def test_a_card_opens_clear_of_the_unfolded_layer_list(page, live_server):
    """On a wide screen the layer list is unfolded; a card that would open under it (the
    list is above the cards) folds it, and its button opens it again."""
    page.goto(live_server + "/?projet=hdf-2021-13")
    page.wait_for_selector(".leaflet-popup-content .wm-popup-title")
    page.wait_for_function("""() => {
        const card = document.querySelector('.leaflet-popup').getBoundingClientRect();
        const map = document.querySelector('.folium-map').getBoundingClientRect();
        const list = document.querySelector('.leaflet-control-layers-expanded');
        const r = list && list.getBoundingClientRect();
        const apart = !r || r.right <= card.left || r.left >= card.right
                      || r.bottom <= card.top || r.top >= card.bottom;
        return apart && card.top >= map.top && card.bottom <= map.bottom;
    }""", timeout=5_000)
    button = page.locator(".wm-layers-toggle")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"


@pytest.mark.parametrize("path", ["/", "/embed"])
def test_without_javascript_the_views_image_stands_for_the_map(browser, live_server, path):
    """No JavaScript (blocked, failed): the server's image of the view (/carte.png) in the
    map's place, with its title as text; with JavaScript the image is never fetched."""
    query = "?niveau=epci&theme=droits"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + path + query)
    image = page.locator("img.wm-still-map")
    image.wait_for()
    assert page.evaluate("() => document.querySelector('img.wm-still-map').naturalWidth") > 0
    src = image.get_attribute("src")
    assert "/carte.png?" in src and "niveau=epci" in src and "theme=droits" in src
    assert "intercommunalité" in image.get_attribute("alt")
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    images = []
    page.on("request", lambda r: "/carte.png" in r.url and images.append(r.url))
    page.goto(live_server + path + query)
    page.wait_for_selector("html[data-ready='1']")
    assert images == []
    context.close()
