"""Each project's own page: its card, a permanent address to copy or send, « Signaler une
erreur », and the tags that link previews read."""

from __future__ import annotations

import html as html_module
import re
import urllib.parse

import pytest
from conftest import canonical_rows, make_app

PROJECTS = [row["id"] for row in canonical_rows()]


@pytest.fixture(scope="module")
def client():
    return make_app(public_url="https://carte.example.fr", contact="signalement@example.fr").test_client()


def meta(page: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', page)
    return html_module.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("project_id", PROJECTS)
def test_every_project_has_a_page_with_its_card_and_preview_tags(client, project_id):
    row = next(r for r in canonical_rows() if r["id"] == project_id)
    page = client.get(f"/projets/{project_id}").get_data(as_text=True)
    title = html_module.unescape(re.search(r'<h1 class="wm-popup-title">(.*?)</h1>', page, re.S).group(1))
    assert title == row["titre"]
    assert meta(page, "og:title") == row["titre"] == meta(page, "twitter:title")
    description = meta(page, "og:description")
    assert description and " ".join(row["description"].split()).startswith(description.rstrip("…"))
    assert len(description) <= 200
    assert meta(page, "og:url") == f"https://carte.example.fr/projets/{project_id}"
    assert f'<link rel="canonical" href="https://carte.example.fr/projets/{project_id}">' in page
    assert f'value="https://carte.example.fr/projets/{project_id}"' in page
    assert "Montant non publié" in page  # never an invented amount
    report = re.search(r'href="mailto:signalement@example\.fr\?subject=([^"]+)"', page)
    assert report and project_id in urllib.parse.unquote(html_module.unescape(report.group(1)))


def test_unknown_project_is_a_french_404(client):
    response = client.get("/projets/hdf-2099-99")
    assert response.status_code == 404 and "Erreur 404" in response.get_data(as_text=True)


def test_without_a_contact_address_none_is_invented():
    page = make_app().test_client().get(f"/projets/{PROJECTS[0]}").get_data(as_text=True)
    assert "mailto:?" in page and not re.search(r'mailto:[^?"]', page)
    assert "pas encore été communiquée" in page


def test_cards_and_the_list_link_to_the_project_pages(client):
    card = client.get(f"/donnees/fiches/{PROJECTS[0]}.html").get_data(as_text=True)
    assert f'href="/projets/{PROJECTS[0]}"' in card
    listing = client.get("/projets").get_data(as_text=True)
    assert all(f'href="/projets/{pid}"' in listing for pid in PROJECTS)


@pytest.mark.browser
def test_a_shared_link_round_trips_and_the_copy_button_copies_it(browser, live_server):
    context = browser.new_context(locale="fr-FR", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server + "/projets")
    page.get_by_role("link", name=re.compile("Page du projet : Bus Accs'Aisne")).click()
    page.wait_for_selector("h1.wm-popup-title")
    title = page.locator("h1").inner_text()
    link = page.locator("#lien-permanent").input_value()
    assert link == live_server + "/projets/hdf-2021-11"
    page.get_by_role("button", name="Copier le lien").click()
    page.wait_for_function("() => document.querySelector('[data-copy-status]').textContent === 'Lien copié.'")
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    other = context.new_page()  # the link, opened elsewhere, is the same page
    other.goto(link)
    assert other.locator("h1").inner_text() == title
    other.get_by_role("link", name="Voir le projet sur la carte").click()
    other.wait_for_function("() => document.activeElement?.classList.contains('wm-popup-title')")
    assert other.locator(".leaflet-popup .wm-popup-title").inner_text() == title
    context.close()


def test_link_previews_show_the_projects_map(client):
    page = client.get(f"/projets/{PROJECTS[0]}").get_data(as_text=True)
    assert meta(page, "og:image") == f"https://carte.example.fr/projets/{PROJECTS[0]}.png"
    assert meta(page, "twitter:card") == "summary_large_image"
    image = client.get(f"/projets/{PROJECTS[0]}.png?largeur=600")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(image.data[16:20], "big") == 600  # IHDR width
    assert f'src="/projets/{PROJECTS[0]}.png?largeur=600"' in page


def test_a_project_page_links_to_its_territories(client):
    page = client.get("/projets/hdf-2021-11").get_data(as_text=True)  # Bus Accs'Aisne
    links = re.findall(r'<a href="(/territoires/[^"]+)">', page)
    assert "/territoires/departement/02" in links
    for link in links:
        assert client.get(link).status_code == 200, link
