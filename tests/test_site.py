"""The site as a State site: the DSFR header and footer on every page, the three pages the
footer links to (accessibility declaration on the RGAA model, legal notice, personal data),
no cookie, and the design system served from the pinned npm package's files."""

from __future__ import annotations

import gzip
import re

import pytest
from conftest import REPO, make_app

from webmap.web import dsfr
from webmap.web.config import ConfigError, Settings


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


PAGES = ["/", "/projets", "/couverture", "/couverture/droits", "/integrer", "/accessibilite",
         "/mentions-legales", "/donnees-personnelles"]


@pytest.mark.parametrize("path", PAGES + ["/page-absente", "/?niveau=canton"])
def test_every_page_has_the_state_header_and_the_footer_links(client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert '<header role="banner" class="fr-header">' in html
    assert re.search(r'<p class="fr-logo">Préfet<br>de la région<br>Hauts-de-France</p>', html)
    assert '<footer class="fr-footer" role="contentinfo"' in html
    links = dict(re.findall(r'<a class="fr-footer__bottom-link" href="([^"]+)">([^<]+)</a>', html))
    assert links == {"/accessibilite": "Accessibilité : non conforme", "/mentions-legales": "Mentions légales",
                     "/donnees-personnelles": "Données personnelles"}
    for href in links:
        assert client.get(href).status_code == 200
    for sheet in re.findall(r'<link rel="stylesheet" href="([^"]+)">', html):
        assert client.get(sheet).status_code == 200, sheet
    assert "Set-Cookie" not in response.headers  # no cookie: what « Données personnelles » says


def test_the_accessibility_declaration_follows_the_rgaa_model(client):
    html = client.get("/accessibilite").get_data(as_text=True)
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["État de conformité", "Résultats des tests", "Contenus non accessibles",
                        "Établissement de cette déclaration d'accessibilité", "Retour d'information et contact",
                        "Voies de recours"]
    assert "<strong>non conforme</strong> avec le RGAA 4.1.2" in html
    assert "mailto:" not in html  # no address configured: none invented


def test_the_contact_address_is_a_mail_link_and_a_bad_one_stops_the_start(tmp_path):
    client = make_app(contact="accessibilite@example.fr").test_client()
    html = client.get("/accessibilite").get_data(as_text=True)
    assert 'href="mailto:accessibilite@example.fr?subject=Accessibilit%C3%A9' in html
    with pytest.raises(ConfigError, match="WEBMAP_CONTACT"):
        Settings.from_env({"WEBMAP_CONTACT": "<script>@x"})


def test_the_embed_takes_nothing_from_the_design_system(client):
    html = client.get("/embed").get_data(as_text=True)
    assert dsfr.URL_PREFIX not in html and "fr-header" not in html


def test_design_system_files_are_served_for_a_year_and_only_them(client):
    response = client.get(f"/static/{dsfr.URL_PREFIX}/{dsfr.CORE_CSS}")
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert client.get(f"/static/{dsfr.URL_PREFIX}/../../webmap.js").status_code == 404
    # Every file a served stylesheet names (fonts, icons) is served.
    for sheet in dsfr.STYLESHEETS:
        css = (dsfr.VENDOR_DIR / sheet).read_text(encoding="utf-8")
        for name in dsfr.referenced(sheet, css):
            if name.startswith("icons/") or dsfr.FONT.search(name):
                assert client.get(f"/static/{dsfr.URL_PREFIX}/{name}").status_code == 200, name


def test_vendored_design_system_is_the_pinned_packages(tmp_path):
    """`webmap vendor-dsfr` from node_modules gives the committed files, byte for byte."""
    dist = REPO / "node_modules" / "@gouvfr" / "dsfr" / "dist"
    if not dist.is_dir():
        pytest.skip("node_modules absent : lancez npm ci (scripts/test.sh le fait)")
    files = dsfr.vendor(dist, tmp_path / "dsfr")
    committed = sorted(str(p.relative_to(dsfr.VENDOR_DIR)) for p in dsfr.VENDOR_DIR.rglob("*") if p.is_file())
    assert files == committed
    for name in files:
        assert (tmp_path / "dsfr" / name).read_bytes() == (dsfr.VENDOR_DIR / name).read_bytes(), name


def test_the_map_page_stays_light(client):
    """The map page's own HTML, gzipped (the design system's files are cached for a year)."""
    assert len(gzip.compress(client.get("/").data)) < 20_000
