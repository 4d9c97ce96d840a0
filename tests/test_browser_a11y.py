"""Accessibility in Chromium: what a keyboard-only or screen-reader user does with the map
(cards, layers, views), and axe-core on every page. Keys only: no mouse in these tests."""

from __future__ import annotations

import pytest
from conftest import REPO

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# Every kind of page: the map and its embed at two levels, the lists, the coverage tables,
# the embedding page, a 404 and a 400 (whose header must not say « Carte » is current), a
# project's page and a territory's.
PAGES = ["/", "/?niveau=commune&indicateur=distance&theme=droits", "/embed", "/embed?niveau=epci&legende=non",
         "/projets", "/couverture", "/couverture/insertion", "/integrer", "/page-absente", "/?niveau=canton",
         "/accessibilite", "/mentions-legales", "/donnees-personnelles", "/projets/hdf-2021-13",
         "/territoires/epci/200044618"]
ACTIVE = """() => { const a = document.activeElement;
    return a ? (a.getAttribute('data-projet') ? 'marker:' + a.getAttribute('data-projet')
              : a.className + '|' + (a.getAttribute('aria-label') || a.textContent.trim().slice(0, 60))) : null; }"""


def ready(page) -> None:
    page.wait_for_selector("html[data-ready='1']", timeout=30_000)


def open_page(browser, base: str, path: str, width: int = 1280, height: int = 800, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR", **options)
    page = context.new_page()
    page.goto(base + path)
    return page


def tab_until(page, predicate: str, limit: int = 120) -> int:
    """Press Tab until `predicate` (JS, on document.activeElement) holds; returns the count."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const a = document.activeElement; return !!({predicate}); }}"):
            return count
    raise AssertionError(f"{predicate} never reached in {limit} Tabs (at {page.evaluate(ACTIVE)})")


def card_state(page) -> dict:
    return page.evaluate("""() => {
        const popup = document.querySelector('.leaflet-popup');
        if (!popup) return null;
        const label = popup.getAttribute('aria-labelledby');
        return { role: popup.getAttribute('role'), name: label && document.getElementById(label).textContent,
                 focusInside: popup.contains(document.activeElement),
                 focused: document.activeElement.className };
    }""")


def axe_violations(page) -> list[str]:
    """axe-core (npm, pinned) on the page as it is: one line per rule it finds violated. The
    page's context must bypass our CSP, which forbids the injected script."""
    if not AXE.exists():
        pytest.skip("axe-core absent : lancez npm ci (scripts/test.sh le fait)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => v.id + ' (' + v.nodes.length + ') ' + v.nodes[0].target.join(' '))""")


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation_on_any_page(browser, live_server, path):
    """axe-core on every kind of page at a desktop width, once the map is drawn (at 320 px:
    test_reflow.py, in the same load as the reflow checks)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True, locale="fr-FR")
    try:
        page = context.new_page()
        response = page.goto(live_server + path)
        if response.status == 200 and (path.startswith("/?") or path == "/" or path.startswith("/embed")):
            ready(page)
        assert axe_violations(page) == []
    finally:
        context.close()


def test_a_card_opens_from_the_keyboard_is_read_and_closes_back_to_its_marker(browser, live_server):
    page = open_page(browser, live_server, "/")
    ready(page)
    page.locator("#niveau").focus()  # the last control of the panel before the map
    tab_until(page, "a.getAttribute('data-projet') && a.classList.contains('wm-marker')")
    marker = page.evaluate("() => document.activeElement.getAttribute('data-projet')")
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('wm-popup-title')")
    state = card_state(page)
    assert state["role"] == "dialog" and state["focusInside"]
    assert state["name"] and name.startswith(state["name"])  # the card is named by its title
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(ACTIVE) == f"marker:{marker}"

    # Again, closed with its button this time: reached by Tab from the card's heading.
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('wm-popup-title')")
    tab_until(page, "a.classList.contains('leaflet-popup-close-button')", limit=10)
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Fermer la fiche"
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(ACTIVE) == f"marker:{marker}"
    page.context.close()


def test_a_regional_project_opens_from_the_list_and_escape_returns_to_it(browser, live_server):
    page = open_page(browser, live_server, "/")
    ready(page)
    page.locator(".wm-regional button").first.focus()
    label = page.evaluate("() => document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('wm-popup-title')")
    assert card_state(page)["name"] == label
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == label
    page.context.close()


def test_markers_say_in_words_what_their_colour_and_shape_say(browser, live_server):
    page = open_page(browser, live_server, "/")
    ready(page)
    names = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.wm-marker[data-projet]')]
        .map(m => [m.getAttribute('data-projet'), m.getAttribute('aria-label')]))""")
    assert len(names) == 41
    # Bus Accs'Aisne: a mobile unit without a named commune, serving the Aisne.
    assert names["hdf-2021-11"].startswith("Bus Accs'Aisne")
    assert "Alimentation et biens essentiels" in names["hdf-2021-11"]
    assert "emplacement approximatif" in names["hdf-2021-11"] and "« aller vers »" in names["hdf-2021-11"]
    assert all(any(theme in name for theme in ("Alimentation", "Accès aux droits", "Prévention"))
               for name in names.values())
    # The theme is not told by colour alone in the list of region-wide projects either.
    tags = page.locator(".wm-regional .wm-theme-tag").all_inner_texts()
    assert len(tags) == page.locator(".wm-regional button").count() == 13 and all(tags)
    page.context.close()


def test_leaflet_controls_speak_french(browser, live_server):
    page = open_page(browser, live_server, "/")
    ready(page)
    page.locator(".wm-marker[data-projet='hdf-2021-13']").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".wm-popup-title")
    titles = page.evaluate("""() => [...document.querySelectorAll(
            '.leaflet-container [title], .leaflet-container [aria-label]')]
        .filter(e => !e.closest('.leaflet-marker-pane'))
        .map(e => (e.getAttribute('title') || '') + '|' + (e.getAttribute('aria-label') || ''))""")
    text = " ".join(titles)
    for english in ("Zoom in", "Zoom out", "Layers", "Close popup", "A JavaScript library"):
        assert english not in text, english
    assert "Zoom avant" in text and "Zoom arrière" in text and "Fermer la fiche" in text
    assert page.locator(".leaflet-control-scale-line").count() == 1  # metric only
    assert page.locator(".leaflet-control-scale-line").inner_text().endswith(("km", "m"))
    page.context.close()


@pytest.mark.parametrize("path", ["/", "/embed"])
def test_layer_control_on_a_phone_is_folded_and_works_from_the_keyboard(browser, live_server, path):
    """At 320 px the control no longer covers the markers: folded, a button with
    aria-expanded opens it, Space toggles a layer, Escape folds it and keeps the focus."""
    page = open_page(browser, live_server, path, width=320, height=568)
    ready(page)
    toggle = page.locator(".wm-layers-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".leaflet-control-layers-list").is_visible()
    # Controls come before the markers in the keyboard's path.
    page.evaluate("""() => { window.markersFocused = 0; document.addEventListener('focusin',
        e => { if (e.target.classList.contains('wm-marker')) window.markersFocused += 1; }); }""")
    tab_until(page, "a.classList.contains('wm-layers-toggle')")
    assert page.evaluate("() => window.markersFocused") == 0
    assert page.evaluate("() => document.querySelectorAll('.wm-marker[data-projet]').length") == 41
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator(".leaflet-control-layers-list").is_visible()
    tab_until(page, "a.type === 'checkbox' && a.closest('label').textContent.trim().startsWith('Alimentation')",
              limit=20)
    before = page.locator(".wm-marker[data-projet]").count()
    page.keyboard.press("Space")
    assert page.locator(".wm-marker[data-projet]").count() == before - 21  # 21 food markers placed
    page.keyboard.press("Space")
    assert page.locator(".wm-marker[data-projet]").count() == before
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.activeElement.classList.contains('wm-layers-toggle')")
    assert not page.locator(".leaflet-control-layers-list").is_visible()
    page.context.close()


def test_a_view_change_updates_the_title_and_the_text_of_the_map(browser, live_server):
    page = open_page(browser, live_server, "/")
    ready(page)
    summary = page.locator("#resume-vue").inner_text()
    assert summary.startswith("Nombre de projets par département : Nord ")
    assert page.title().startswith("Nombre de projets par département — ")
    page.locator("#niveau").focus()
    page.keyboard.press("ArrowDown")  # département -> EPCI
    page.wait_for_function("() => document.documentElement.getAttribute('data-view') === 'loaded' && "
                           "document.getElementById('resume-vue').textContent.includes('intercommunalité')")
    assert page.title().startswith("Nombre de projets par intercommunalité (EPCI) — ")
    assert "les 5 valeurs les plus élevées sont" in page.locator("#resume-vue").inner_text()
    page.context.close()


def test_reduced_motion_turns_the_map_animations_off(browser, live_server):
    page = open_page(browser, live_server, "/", reduced_motion="reduce")
    ready(page)
    assert page.evaluate("() => WebMap.reducedMotion && !WebMap.map._zoomAnimated")
    assert "leaflet-fade-anim" not in page.locator(".leaflet-container").get_attribute("class")
    page.context.close()


def test_the_error_page_does_not_say_the_map_is_the_current_page(browser, live_server):
    page = open_page(browser, live_server, "/?niveau=canton")
    assert page.locator(".fr-nav [aria-current]").count() == 0
    assert page.locator("meta[name=description]").count() == 1
    page.context.close()



def test_printed_the_map_page_shows_the_servers_image_of_its_view(browser, live_server):
    page = open_page(browser, live_server, "/?niveau=epci")
    ready(page)
    page.locator("#indicateur").focus()
    page.keyboard.press("ArrowDown")  # another view: the printed image follows it
    page.wait_for_function("() => document.documentElement.getAttribute('data-view') === 'loaded' && "
                           "location.search.includes('indicateur=projets_100k')")
    page.emulate_media(media="print")
    page.wait_for_function("() => { const i = document.querySelector('.wm-print-map img');"
                           " return i.complete && i.naturalWidth === 1400; }")
    source = page.evaluate("() => document.querySelector('.wm-print-map img').currentSrc")
    assert source.endswith("/carte.png?niveau=epci&indicateur=projets_100k&largeur=1400")
    assert page.locator(".wm-map").is_hidden() and page.locator(".wm-print-map img").is_visible()
    assert page.locator("#legende").is_visible()
    page.context.close()
