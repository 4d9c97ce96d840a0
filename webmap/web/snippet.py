"""The <iframe> snippet the prefecture's web team pastes into its CMS, and the HTML of the
oEmbed answer: written here only; /integrer's script fills the template's slots with the
chosen view (static/integrer.js)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

IFRAME_TITLE = "Carte des projets du plan de soutien aux associations de lutte contre la pauvreté en Hauts-de-France"
LIST_LINK_TEXT = "Liste des projets (version texte de la carte)"
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 300, 1600, 600
# Slots of the template: the embed's address (escaped by the script) and the height.
SRC_SLOT, HEIGHT_SLOT = "%SRC%", "%HEIGHT%"


def embed_url(base: str, query: dict[str, str], height: int = DEFAULT_HEIGHT) -> str:
    """The embed's address; `hauteur` when not the default: the height the map asks its host
    page for (static/frame.js)."""
    query = {**query, **({"hauteur": str(int(height))} if height != DEFAULT_HEIGHT else {})}
    return f"{base}/embed" + (f"?{urlencode(query)}" if query else "")


def _iframe(src_attr: str, height_attr: str, width_attr: str) -> str:
    # No max-width in the style: a CMS theme's own width rule for its text column wins.
    return (f'<iframe src="{src_attr}" title="{escape(IFRAME_TITLE)}" width="{width_attr}" '
            f'height="{height_attr}" style="border:0" loading="lazy" '
            f'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>')


def _snippet(src_attr: str, list_attr: str, height_attr: str, width_attr: str) -> str:
    """An accessible iframe (RGAA: a title, and a link to the text alternative)."""
    return (_iframe(src_attr, height_attr, width_attr)
            + f'\n<p><a href="{list_attr}">{LIST_LINK_TEXT}</a></p>')


def iframe_snippet(src: str, list_url: str, height: int = DEFAULT_HEIGHT, width: str = "100%") -> str:
    return _snippet(escape(src), escape(list_url), str(int(height)), escape(width))


def snippet_template(list_url: str) -> str:
    """The snippet with SRC_SLOT and HEIGHT_SLOT in place of the address and the height."""
    return _snippet(SRC_SLOT, escape(list_url), HEIGHT_SLOT, "100%")


def oembed_html(src: str, list_url: str, height: int, width: int) -> str:
    """The oEmbed answer's HTML. The link to the text alternative comes first, in a
    <blockquote>: it is all that WordPress keeps besides the iframe (it drops <p>), and
    its presence makes WordPress load wp-embed.js, which sizes the frame from the map's
    height messages and shows the link until the map has spoken."""
    return (f'<blockquote><a href="{escape(list_url)}">{LIST_LINK_TEXT}</a></blockquote>'
            + _iframe(escape(src), str(int(height)), str(int(width))))
