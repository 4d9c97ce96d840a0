"""The <iframe> snippet the prefecture's web team pastes into its CMS."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

IFRAME_TITLE = "Carte des projets du plan de soutien aux associations de lutte contre la pauvreté en Hauts-de-France"
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 300, 1600, 600


def embed_url(base: str, query: dict[str, str]) -> str:
    return f"{base}/embed" + (f"?{urlencode(query)}" if query else "")


def iframe_snippet(src: str, list_url: str, height: int = DEFAULT_HEIGHT, width: str = "100%") -> str:
    """An accessible iframe (RGAA: a title, and a link to the text alternative)."""
    return (
        f'<iframe src="{escape(src)}" title="{escape(IFRAME_TITLE)}" width="{escape(width)}" '
        f'height="{int(height)}" style="border:0;max-width:100%" loading="lazy" '
        f'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>\n'
        f'<p><a href="{escape(list_url)}">Liste des projets (version texte de la carte)</a></p>'
    )
