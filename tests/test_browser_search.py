"""The search in Chromium, with the keyboard alone: a commune as people write it, a postal
code, an intercommunality's short name, a project; in the app, the embed and a static copy."""

from __future__ import annotations

import pytest
from conftest import static_server

pytestmark = pytest.mark.browser

BUS = "Bus Accs'Aisne sur les territoires ruraux compris entre Laon – Guise-La Capelle-Hirson-Rozoy sur Serre"
CASES = [  # typed, the option wanted, how many arrow presses at most (1: ranked first)
    ("ST QUENTIN", "Saint-Quentin (02)", 1),
    ("02100", "Saint-Quentin (02)", 1),
    ("Douaisis Agglo", "Communauté d'agglomération Douaisis Agglo", 1),
    ("bus", BUS, 4),  # after the communes Bus (62), Bus-la-Mésière and Bus-lès-Artois (80)
]


def search_and_choose(page, typed: str, wanted: str) -> list[str]:
    """Type, go down the list with the arrow key to `wanted`, press Enter; returns the names
    of the options passed on the way (the first is the one ranked first)."""
    field = page.locator("#recherche")
    field.focus()
    field.fill("")
    page.keyboard.type(typed)
    page.wait_for_selector("#recherche-liste [role=option]")
    assert field.get_attribute("aria-expanded") == "true"
    passed = []
    for _ in range(8):
        page.keyboard.press("ArrowDown")
        option = page.locator("#" + field.get_attribute("aria-activedescendant"))
        assert option.get_attribute("aria-selected") == "true"
        passed.append(option.locator(".wm-search-name").inner_text())
        if passed[-1] == wanted:
            page.keyboard.press("Enter")
            return passed
    raise AssertionError(f"{wanted!r} not in the first options for {typed!r}: {passed}")


def opened_card(page) -> str:
    page.wait_for_function("() => document.activeElement?.classList.contains('wm-popup-title')")
    return page.evaluate("() => document.activeElement.textContent.trim()")


@pytest.mark.parametrize("path", ["/", "/embed"])
def test_search_reaches_places_and_projects_with_the_keyboard(browser, live_server, path):
    """The search's script is fetched when its field is first focused, not with the map."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    errors, scripts = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("request", lambda r: "/static/recherche-" in r.url and scripts.append(r.url))
    page.goto(live_server + path)
    page.wait_for_selector("html[data-ready='1']")
    page.wait_for_load_state("networkidle")
    assert scripts == [] and page.locator("#recherche").is_visible()
    for typed, wanted, presses in CASES:
        assert len(search_and_choose(page, typed, wanted)) <= presses, typed
        assert opened_card(page) == wanted, typed
        if wanted != BUS:
            page.wait_for_selector("html[data-selection='loaded']")
            assert int(page.locator("html").get_attribute("data-selection-features")) == 1  # its outline
            card = page.locator(".leaflet-popup .wm-territory-card").inner_text()
            assert "habitants" in card and "Projet local le plus proche" in card
        page.keyboard.press("Escape")  # the card closes, focus back in the field
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert page.evaluate("() => document.activeElement.id") == "recherche"
    # Escape closes the list, then empties the field.
    page.keyboard.type(" x")
    page.keyboard.press("Escape")
    assert page.locator("#recherche").get_attribute("aria-expanded") == "false"
    assert errors == [] and len(scripts) == 1
    context.close()


def test_the_embed_can_hide_the_search(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/embed?recherche=non")
    page.wait_for_selector("html[data-ready='1']")
    assert page.locator("[data-search]").is_hidden()
    context.close()


@pytest.mark.xdist_group("export")  # one worker makes the shared static copy
def test_search_works_in_the_static_copy(browser, exported_site):
    out, _ = exported_site
    with static_server(out) as base:
        context = browser.new_context()
        page = context.new_page()
        failed = []
        page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
        page.goto(base + "/")
        page.wait_for_selector("html[data-ready='1']")
        assert search_and_choose(page, "ST QUENTIN", "Saint-Quentin (02)") == ["Saint-Quentin (02)"]
        assert opened_card(page) == "Saint-Quentin (02)"
        assert "Tout ce qui sert ce territoire" not in page.locator(".wm-territory-card").inner_text()  # no page
        page.keyboard.press("Escape")  # the card closes, focus back in the field (as with the app)
        page.wait_for_selector(".leaflet-popup", state="detached")
        assert page.evaluate("() => document.activeElement.id") == "recherche"
        search_and_choose(page, "Douaisis Agglo", "Communauté d'agglomération Douaisis Agglo")
        opened_card(page)
        page.keyboard.press("Tab")  # from the card's heading to its link
        assert page.evaluate("() => document.activeElement.textContent") == "Tout ce qui sert ce territoire"
        page.keyboard.press("Enter")
        page.wait_for_selector("h1")
        assert page.locator("h1").inner_text() == "Communauté d'agglomération Douaisis Agglo"
        assert failed == []
        context.close()
