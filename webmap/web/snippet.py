"""The <iframe> snippet the prefecture's web team pastes into its CMS: written here only;
/integrer's script fills the template's slots with the chosen view (static/integrer.js)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

IFRAME_TITLE = "Carte des projets du plan de soutien aux associations de lutte contre la pauvreté en Hauts-de-France"
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 300, 1600, 600
# Slots of the template: the embed's address (escaped by the script) and the height.
SRC_SLOT, HEIGHT_SLOT = "%SRC%", "%HEIGHT%"


def embed_url(base: str, query: dict[str, str]) -> str:
    return f"{base}/embed" + (f"?{urlencode(query)}" if query else "")


def _snippet(src_attr: str, list_attr: str, height_attr: str, width_attr: str) -> str:
    """An accessible iframe (RGAA: a title, and a link to the text alternative)."""
    return (
        f'<iframe src="{src_attr}" title="{escape(IFRAME_TITLE)}" width="{width_attr}" '
        f'height="{height_attr}" style="border:0;max-width:100%" loading="lazy" '
        f'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>\n'
        f'<p><a href="{list_attr}">Liste des projets (version texte de la carte)</a></p>'
    )


def iframe_snippet(src: str, list_url: str, height: int = DEFAULT_HEIGHT, width: str = "100%") -> str:
    return _snippet(escape(src), escape(list_url), str(int(height)), escape(width))


def snippet_template(list_url: str) -> str:
    """The snippet with SRC_SLOT and HEIGHT_SLOT in place of the address and the height."""
    return _snippet(SRC_SLOT, escape(list_url), HEIGHT_SLOT, "100%")
