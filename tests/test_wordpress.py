"""The map in a real WordPress (Debian's 6.1.x package), as the prefecture's web team uses it
(issue 14): an Author pastes the map's address, an Editor pastes the /integrer snippet.

The harness lives in tests/wordpress/ (setup.sh, PHP helpers, wpsite.py): WordPress from
Debian's package, served by `php -S`, MariaDB, users with the roles author and editor.
"""

from __future__ import annotations

import html
import json
import os
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from conftest import MARKER_TITLE, free_port, start_server
from wordpress.wpsite import SetupUnavailable, WordPressSite, setup

# One worker sets up WordPress once for the whole module (scripts/test.sh: --dist loadgroup).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.wordpress, pytest.mark.xdist_group("wordpress")]

THEME_URL = "/embed?theme=alimentation"
# The state a polygon layer writes on <html> (polygons.js `_mark`): data-KEY="loaded" and
# data-KEY-features; other data- attributes (data-ready, data-view, data-markers) are not layers.
LAYER_STATES = """() => Object.fromEntries([...document.documentElement.attributes]
    .filter(a => document.documentElement.hasAttribute(a.name + "-features"))
    .map(a => [a.name.slice(5), [a.value,
         Number(document.documentElement.getAttribute(a.name + "-features") || 0)]]))"""


@dataclass
class Sites:
    wp: WordPressSite
    app: str  # the map, as WEBMAP_PUBLIC_URL

    @property
    def pasted(self) -> str:
        """The address the web team pastes."""
        return self.app + THEME_URL

    def oembed_trace(self, url: str) -> str:
        """What WordPress's oEmbed does with `url` (for failure messages)."""
        return self.wp.php("oembed.php", url)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    app_port, wp_port = free_port(), free_port()
    site_dir = tmp_path_factory.mktemp("wordpress") / "site"
    database = "webmap_wp_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
    try:
        setup(site_dir, [app_port], database=database)
    except SetupUnavailable as why:
        pytest.skip(f"WordPress cannot be installed on this machine: {why}")
    wp = WordPressSite(site_dir, port=wp_port, extra_ports=[app_port]).start()
    process, app = start_server({"WEBMAP_PUBLIC_URL": f"http://127.0.0.1:{app_port}",
                                 "WEBMAP_FRAME_ANCESTORS": wp.url}, port=app_port)
    yield Sites(wp, app)
    process.terminate()
    process.wait(timeout=20)
    wp.stop()


@pytest.fixture
def page(browser, sites):
    """A 1280×800 page; `page.problems` collects console errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"HTTP {r.status}: {r.url}"))
    yield page
    context.close()


def rendered(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode()


def embeds_in(post_html: str) -> list[str]:
    """The <iframe> tags in the post's content."""
    content = post_html.split('wp-block-post-content', 1)[-1]
    return re.findall(r"<iframe\b[^>]*>", content)


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else None


def assert_sandboxed_map_embed(sites: Sites, post_url: str, pasted: str) -> str:
    """The rendered post holds WordPress's sandboxed oEmbed iframe of the map; returns it."""
    frames = embeds_in(rendered(post_url))
    assert frames, (f"no <iframe> in the post: WordPress did not embed {pasted}\n"
                    f"WordPress's oEmbed steps:\n{sites.oembed_trace(pasted)}")
    tag = frames[0]
    assert attribute(tag, "sandbox") == "allow-scripts", tag
    assert urllib.parse.urlsplit(attribute(tag, "src")).path == "/embed", tag
    assert attribute(tag, "src").startswith(sites.app + "/embed"), tag
    return tag


def open_embedded_map(page, post_url: str):
    """The post in Chromium; returns (iframe element, its frame) once the map's layers are
    no longer loading."""
    page.goto(post_url)
    iframe = page.locator(".wp-block-post-content iframe").first
    iframe.wait_for(state="attached")
    frame = iframe.element_handle().content_frame()
    frame.wait_for_function(LAYER_STATES.replace("() =>", "() => { const s =", 1)
                            + "; const v = Object.values(s); "
                              "return v.length > 0 && v.every(x => x[0] !== 'loading'); }")
    return iframe, frame


# f. oEmbed conformance, from the app directly -------------------------------------------

@pytest.mark.parametrize("path", [THEME_URL, "/"])
def test_oembed_answer_fits_maxwidth_and_maxheight(sites, path):
    query = urllib.parse.urlencode({"url": sites.app + path, "format": "json",
                                    "maxwidth": 200, "maxheight": 150})
    answer = json.loads(rendered(f"{sites.app}/oembed?{query}"))
    assert answer["type"] == "rich"
    assert answer["width"] <= 200 and answer["height"] <= 150, answer
    tag = re.search(r"<iframe\b[^>]*>", answer["html"]).group(0)
    assert int(attribute(tag, "width")) <= 200 and int(attribute(tag, "height")) <= 150, tag


# a, b. An Author pastes the address ------------------------------------------------------

def test_author_pastes_the_embed_url_alone_on_its_line(sites):
    pasted = sites.app + THEME_URL
    post = sites.wp.create_post("author", f"La carte des projets « alimentation » :\n\n{pasted}\n\nÀ bientôt.")
    assert_sandboxed_map_embed(sites, post.url, pasted)


def test_author_pastes_the_embed_url_in_the_block_editor(sites):
    """What the block editor saves when the URL is pasted on an empty line (core/embed)."""
    pasted = sites.app + THEME_URL
    block = (f'<!-- wp:embed {{"url":"{pasted}","type":"rich"}} -->\n'
             f'<figure class="wp-block-embed is-type-rich"><div class="wp-block-embed__wrapper">\n'
             f'{pasted}\n</div></figure>\n<!-- /wp:embed -->')
    post = sites.wp.create_post("author", block)
    assert_sandboxed_map_embed(sites, post.url, pasted)


def test_block_editor_preview_of_the_pasted_url(sites):
    """The editor asks /wp-json/oembed/1.0/proxy while the Author writes; an error there is
    « Sorry, this content could not be embedded. »"""
    pasted = sites.pasted
    status, answer = sites.wp.login("author").rest("oembed/1.0/proxy", url=pasted, _locale="user")
    assert status == 200, (status, answer)
    assert "<iframe" in answer["html"] and 'sandbox="allow-scripts"' in answer["html"], answer


@pytest.mark.parametrize("pasted", ["[embed]{app}/[/embed]", "{app}/projets"],
                         ids=["embed-shortcode-home", "projets-page-on-its-line"])
def test_author_pastes_other_addresses(sites, pasted):
    text = pasted.format(app=sites.app)
    post = sites.wp.create_post("author", f"Les projets soutenus :\n\n{text}\n")
    assert_sandboxed_map_embed(sites, post.url, re.sub(r"\[/?embed\]", "", text))


def test_author_custom_html_loses_the_iframe(sites):
    """WordPress, not the app: an Author has no unfiltered_html, so the snippet cannot be
    used by an Author; only the address (oEmbed) can."""
    post = sites.wp.create_post("author", '<!-- wp:html -->\n<iframe src="' + sites.app
                                + '/embed"></iframe>\n<!-- /wp:html -->')
    assert "<iframe" not in post.content


# c. The map inside WordPress's sandboxed frame -------------------------------------------

def problems(page) -> str:
    return "\n".join(["console errors and failed requests:", *page.problems])


def test_sandboxed_map_draws_its_polygons(sites, page):
    post = sites.wp.create_post("author", f"Carte :\n\n{sites.pasted}\n")
    assert_sandboxed_map_embed(sites, post.url, sites.pasted)
    _, frame = open_embedded_map(page, post.url)
    states = frame.evaluate(LAYER_STATES)  # {key: [state, features drawn]}
    assert all(state == "loaded" for state, _ in states.values()) and \
        any(count > 0 for _, count in states.values()), f"layers: {states}\n{problems(page)}"
    assert page.problems == [], problems(page)


def test_sandboxed_map_opens_a_project_card(sites, page):
    post = sites.wp.create_post("author", f"Carte :\n\n{sites.pasted}\n")
    assert_sandboxed_map_embed(sites, post.url, sites.pasted)
    _, frame = open_embedded_map(page, post.url)
    marker = frame.locator("[data-projet]").first
    title = frame.evaluate(MARKER_TITLE, marker.get_attribute("data-projet"))
    marker.focus()
    marker.press("Enter")
    frame.wait_for_function("""() => { const p = document.querySelector('.leaflet-popup-content');
        return p && p.textContent.trim() && !p.textContent.includes('Chargement'); }""")
    card = frame.locator(".leaflet-popup-content").inner_text()
    assert "Fiche indisponible" not in card and title in card, f"card: {card!r}\n{problems(page)}"
    assert page.problems == [], problems(page)


# d. Auto-height (wp-embed.js protocol) ----------------------------------------------------

RECORD_MESSAGES = """if (window === window.top) {
  window.__embedMessages = [];
  window.addEventListener('message', e => {
    const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow === e.source);
    if (f) window.__embedMessages.push({data: e.data, secret: f.getAttribute('data-secret')});
  });
}"""


def test_wordpress_frame_takes_the_height_of_the_map(sites, page):
    post = sites.wp.create_post("author", f"Carte :\n\n{sites.pasted}\n")
    tag = assert_sandboxed_map_embed(sites, post.url, sites.pasted)
    oembed_height = int(attribute(tag, "height"))
    page.add_init_script(RECORD_MESSAGES)
    iframe, frame = open_embedded_map(page, post.url)
    assert page.evaluate("!!(window.wp && window.wp.receiveEmbedMessage)"), (
        "wp-embed.js is not on the post page: WordPress 6.1 enqueues it only when the oEmbed "
        "HTML has a <blockquote> before the <iframe>")
    try:
        page.wait_for_function("""() => window.__embedMessages.some(m => m.data
            && m.data.message === 'height' && m.data.secret === m.secret)""", timeout=15000)
    except Exception:  # noqa: BLE001 - the assertion below says what was received
        pass
    # Read together: a later message could change the height in between.
    messages, height = iframe.evaluate("f => [window.__embedMessages, f.getAttribute('height')]")
    heights = [m["data"]["value"] for m in messages
               if isinstance(m["data"], dict) and m["data"].get("message") == "height"
               and m["data"].get("secret") == m["secret"]]
    assert heights, f"no height message with the frame's secret; messages: {messages}"
    wanted = min(max(int(heights[-1]), 200), 1000)  # wp-embed.js's bounds
    assert int(height) == wanted, f"oEmbed height {oembed_height}, asked {heights}, iframe {height}"
    # Nothing of the map is cut off inside the frame once resized.
    inner = frame.evaluate("document.documentElement.scrollHeight")
    assert inner <= iframe.evaluate("f => f.clientHeight") or wanted == 1000, (inner, wanted)


def test_a_link_in_the_sandboxed_map_opens_in_the_page(sites, page):
    """The sandbox allows no new window: the legend's « Liste des projets » goes through
    wp-embed.js's link message and opens the list in the reader's page."""
    post = sites.wp.create_post("author", f"Carte :\n\n{sites.pasted}\n")
    page.set_viewport_size({"width": 1280, "height": 900})
    iframe, frame = open_embedded_map(page, post.url)
    legend = frame.locator("details.wm-embed-legend")
    if legend.get_attribute("open") is None:
        frame.locator("details.wm-embed-legend summary").click()
    with page.expect_navigation():
        frame.get_by_role("link", name="Liste des projets", exact=True).click()
    assert page.url == sites.app + "/projets", page.url
    assert "Liste des projets" in page.title() or "projets" in page.content()


# e. An Editor pastes the /integrer snippet in a Custom HTML block --------------------------

def integrer_snippet(app: str) -> str:
    found = re.search(r'<textarea[^>]*id="snippet"[^>]*>(.*?)</textarea>', rendered(app + "/integrer"), re.S)
    return html.unescape(found.group(1)).strip()


def test_editor_snippet_fits_the_post_column(sites, page):
    snippet = integrer_snippet(sites.app)
    post = sites.wp.create_post(
        "editor", "<!-- wp:paragraph -->\n<p>Les 54 projets soutenus en 2021 :</p>\n<!-- /wp:paragraph -->\n"
                  f"<!-- wp:html -->\n{snippet}\n<!-- /wp:html -->")
    assert "<iframe" in post.content  # an Editor keeps it
    page.goto(post.url)
    iframe = page.locator(".wp-block-post-content iframe")
    iframe.wait_for()
    frame = iframe.element_handle().content_frame()
    frame.locator("[data-projet]").first.wait_for()  # the map shows (frame-ancestors allows WordPress)
    column = page.locator(".wp-block-post-content > p").first.bounding_box()["width"]
    width = iframe.bounding_box()["width"]
    assert width <= column + 1, f"map {width:.0f} px wide, text column {column:.0f} px"
