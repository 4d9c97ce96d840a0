"""The canonical project record: columns, themes, and value rules shared by import and check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from webmap.places.gazetteer import normalize, without_article


@dataclass(frozen=True)
class Theme:
    slug: str
    titre: str
    court: str  # short label for legends
    couleur: str  # Okabe-Ito, colour-blind safe
    attendu: int  # number of projects in the press kit
    lettre: str = ""  # drawn in its markers: the theme is not told by colour alone


THEMES: tuple[Theme, ...] = (
    Theme("alimentation",
          "La lutte contre la précarité alimentaire et l'accès aux biens essentiels",
          "Alimentation et biens essentiels", "#D55E00", 28, lettre="A"),
    Theme("droits", "L'accès aux droits et la lutte contre l'isolement",
          "Accès aux droits et isolement", "#0072B2", 15, lettre="D"),
    Theme("insertion",
          "Le renforcement de la prévention et de l'insertion sociale et professionnelle",
          "Prévention et insertion", "#009E73", 11, lettre="I"),
)
THEME_BY_SLUG = {t.slug: t for t in THEMES}

CANONICAL_COLUMNS = (
    "id", "titre", "porteur", "theme", "echelle", "departements", "territoires", "lieu",
    "precision", "aller_vers", "zone_blanche", "montant_eur", "description", "lieux_cites",
    "source", "note",
)
ECHELLES = ("regional", "departemental", "local")
# From the finest to the coarsest: a project's precision is the coarsest of its territories.
PRECISIONS = ("commune", "canton", "epci", "arrondissement", "departement", "region")
LOCAL_PRECISIONS = ("commune", "canton", "epci", "arrondissement")
# The one table of yes/no words, for spreadsheets, URL parameters and settings alike.
BOOLEAN_WORDS = {
    "oui": True, "o": True, "true": True, "vrai": True, "1": True, "x": True, "yes": True,
    "non": False, "n": False, "false": False, "faux": False, "0": False, "no": False, "": False,
}
BOOLEAN_EXPECTED = "oui ou non (ou true/false, 1/0)"
# The canonical file writes them so (format_boolean).
CANONICAL_BOOLEANS = {"true": True, "false": False}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _theme_key(text: str) -> str:
    """Case, accents, punctuation and a leading article (le, la, les, l') set aside."""
    return without_article(normalize(text))


def theme_spellings(themes: tuple[Theme, ...] = THEMES) -> dict[str, Theme | None]:
    """Each accepted spelling -> its theme; None for one that two themes share (refused)."""
    keys: dict[str, Theme | None] = {}
    for theme in themes:
        for name in (theme.slug, theme.titre, theme.court):
            key = _theme_key(name)
            keys[key] = theme if keys.get(key, theme) is theme else None
    return keys


_THEME_KEYS = theme_spellings()


def theme_from_text(text: str) -> Theme | None:
    """Slug, French section title (its leading article optional) or short label, case- and
    accent-insensitive; None when unknown or when it could name two themes."""
    key = _theme_key(text)
    return _THEME_KEYS.get(key) if key else None


def parse_boolean(text: str) -> bool | None:
    """True, False, or None for a word that says neither (an empty text says no)."""
    return BOOLEAN_WORDS.get(normalize(text))


def french_or(words) -> str:
    """« a, b ou c »: accepted values, for messages."""
    words = list(words)
    return ", ".join(words[:-1]) + " ou " + words[-1] if len(words) > 1 else words[0]


_AMOUNT = re.compile(r"^\d+(?:[.,]\d{1,2})?$")


def parse_amount(text: str) -> Decimal | None | str:
    """'27 500 €' -> Decimal('27500'); '' -> None; a French error message when invalid."""
    raw = text.strip()
    if not raw:
        return None
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", raw).removesuffix("€").removesuffix("EUR")
    cleaned = cleaned.removesuffix("euros").removesuffix("euro")
    if cleaned.startswith("-"):
        return "un montant ne peut pas être négatif"
    if not _AMOUNT.match(cleaned):
        return "un montant en euros, par exemple « 27500 », « 27 500 € » ou « 27500,50 »"
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        return "un montant en euros"


def format_amount(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = f"{amount:.2f}"
    return text[:-3] if text.endswith(".00") else text


def format_boolean(value: bool) -> str:
    return next(word for word, meaning in CANONICAL_BOOLEANS.items() if meaning is value)


def coarsest_precision(kinds: list[str]) -> str:
    return max(kinds, key=PRECISIONS.index)
