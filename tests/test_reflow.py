"""Reflow (WCAG 1.4.10, RGAA 10.11): at 320 CSS px wide, no page scrolls sideways and the whole
main navigation is in view; a wide table scrolls inside its own frame (.wm-table-wrap)."""

from __future__ import annotations

import pytest
from test_browser_a11y import axe_violations

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 320, 568
PROJECT = "hdf-2021-13"  # Carvin, a placed project: its card opens over the map
# (address, status, what the page shows once ready)
PAGES = [
    ("/", 200, "html[data-ready='1']"),
    ("/projets", 200, "table"),
    ("/couverture", 200, "table"),
    ("/couverture/droits", 200, "table"),
    ("/integrer", 200, "iframe"),
    ("/embed", 200, "html[data-ready='1']"),
    ("/page-qui-n-existe-pas", 404, "h1"),
    ("/?niveau=canton", 400, "h1"),
    (f"/?projet={PROJECT}", 200, ".leaflet-popup-content .wm-popup"),  # the project's permalink
    (f"/donnees/fiches/{PROJECT}.html", 200, ".wm-popup"),  # its card alone, as the map fetches it
    (f"/projets/{PROJECT}", 200, "h1"),  # its own page
    ("/territoires/commune/02691", 200, "table"),
    ("/territoires/epci/200044618", 200, "table"),
    ("/accessibilite", 200, "h1"),
    ("/mentions-legales", 200, "h1"),
    ("/donnees-personnelles", 200, "h1"),
]


@pytest.fixture
def narrow(browser):
    # Our CSP forbids axe-core's injected script: the context bypasses it.
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="fr-FR", bypass_csp=True)
    yield context.new_page()
    context.close()


NAVIGATION = ["Carte", "Liste des projets", "Couverture", "Intégrer"]
SIZES = """() => ({
    scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth,
    inner: window.innerWidth,
    wider: [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter(e => !e.closest('.wm-table-wrap, .leaflet-container'))
      .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')),
})"""


LINKS = """() => [...document.querySelectorAll('nav[aria-label="Menu principal"] a')].map(a => {
    const r = a.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    const seen = r.width > 0 && a.checkVisibility({opacityProperty: true, visibilityProperty: true})
      && a.contains(document.elementFromPoint(x, y));
    return {text: a.textContent.trim(), left: r.left, right: r.right, width: r.width, seen: seen};
})"""


def open_menu_if_folded(page) -> None:
    """A header that folds its navigation behind a button on phones (the DSFR's « Menu »):
    press the visible button that controls the navigation's container."""
    target = page.evaluate("""() => {
        for (let e = document.querySelector('nav[aria-label="Menu principal"]'); e; e = e.parentElement) {
            if (e.id && document.querySelector(`button[aria-controls="${e.id}"]`)) return e.id;
        }
        return null; }""")
    if target:
        page.locator(f'button[aria-controls="{target}"]:visible').first.click()
        page.wait_for_function(f"() => ({LINKS})().every(link => link.seen)", timeout=5_000)


@pytest.mark.parametrize(("path", "status", "ready"), PAGES, ids=[p for p, _, _ in PAGES])
def test_page_fits_320_px_passes_axe_and_shows_its_whole_navigation(narrow, live_server, path, status, ready):
    """No sideways scrolling; no axe-core violation at this width; each link of the main
    navigation visible, not covered, and wholly inside the 320 px (once the menu is open,
    where a header folds it). One load per page."""
    response = narrow.goto(live_server + path)
    assert response.status == status
    narrow.wait_for_selector(ready, state="attached", timeout=30_000)
    sizes = narrow.evaluate(SIZES)
    assert sizes["inner"] == WIDTH
    assert sizes["scroll"] <= WIDTH, f"{path}: the page is {sizes['scroll']} px wide ({sizes['wider']})"
    assert sizes["body"] <= WIDTH, path
    if path.startswith("/donnees/"):  # a fragment the map inserts (axe: in the permalink's page)
        assert narrow.evaluate(LINKS) == []
        return
    assert axe_violations(narrow) == [], path
    if path == "/embed":
        assert narrow.evaluate(LINKS) == [], f"{path} is shown alone: no site navigation"
        return
    links = narrow.evaluate(LINKS)
    if not all(link["seen"] for link in links):
        open_menu_if_folded(narrow)
        links = narrow.evaluate(LINKS)
    assert [link["text"] for link in links] == NAVIGATION, path
    for link in links:
        assert link["seen"] and link["left"] >= 0 and link["right"] <= WIDTH, f"{path}: {link}"


CARD_IN_MAP = """() => {
    const card = document.querySelector('.leaflet-popup').getBoundingClientRect();
    const map = document.querySelector('.folium-map').getBoundingClientRect();
    const title = document.querySelector('.leaflet-popup .wm-popup-title').getBoundingClientRect();
    const x = (title.left + title.right) / 2, y = title.top + 4;
    const over = [...document.querySelectorAll('.leaflet-control')].map(c => c.getBoundingClientRect())
      .filter(r => r.left < card.right && r.right > card.left && r.top < card.bottom && r.bottom > card.top);
    return {inside: card.left >= map.left && card.right <= map.right
                    && card.top >= map.top && card.bottom <= map.bottom && over.length === 0,
            titleSeen: y >= 0 && y <= innerHeight && !!document.elementFromPoint(x, y)?.closest('.wm-popup-title'),
            card: [card.left, card.right, card.top, card.bottom], map: [map.left, map.right, map.top, map.bottom]};
}"""


@pytest.mark.parametrize("path", [f"/?projet={PROJECT}", f"/embed?projet={PROJECT}"])
def test_a_card_fits_the_map_of_a_phone_and_its_title_is_not_covered(narrow, live_server, path):
    """At 320 px a project's card is narrower and shorter than the map (its text scrolls),
    panned clear of every control, and the page scrolled to it: a 360 px card was cut on
    both sides, its title under the zoom and layer controls, its last lines under the
    folded « Couches » button."""
    narrow.goto(live_server + path)
    narrow.wait_for_selector(".leaflet-popup-content .wm-popup-title")
    narrow.wait_for_function(f"() => ({CARD_IN_MAP})().inside && ({CARD_IN_MAP})().titleSeen", timeout=5_000)
    # A word longer than the card (a URL, a name without spaces) wraps inside it.
    assert narrow.evaluate("""() => {
        const card = document.querySelector('.leaflet-popup-content'), title = card.querySelector('.wm-popup-title');
        title.textContent = 'A'.repeat(120);
        const text = document.createRange();
        text.selectNodeContents(title);
        return text.getBoundingClientRect().right - card.getBoundingClientRect().right;
    }""") <= 0.5
