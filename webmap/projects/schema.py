"""The canonical project record: columns, themes, and value rules shared by import and check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from webmap.places.gazetteer import normalize, without_article
from webmap.reference.files import HAUTS_DE_FRANCE, Region
from webmap.reference.territories import KINDS


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
ID_REGEX = "[a-z0-9][a-z0-9-]{0,63}"
ID_PATTERN = re.compile(ID_REGEX)  # to be used with fullmatch


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


# The canonical file's columns: what `webmap check` enforces (check.py) and what /schema.json
# publishes (table_schema), from these definitions only.

MISSING_VALUES = ("",)  # an empty cell is a missing value

def territory_code_patterns(region: Region) -> dict[str, str]:
    """How a territory of the region is coded, per kind (the reference files' codes)."""
    departement = "(" + "|".join(map(re.escape, region.departements)) + ")"
    shapes = {
        "commune": departement + "[0-9]{3}",  # INSEE code: 02691
        "epci": "[0-9]{9}",  # SIREN: 200044618
        "arrondissement": departement + "[0-9]",  # 623
        "canton": departement + "[0-9]{2}",  # 6015
        "departement": departement,  # 80
        "region": re.escape(region.code),  # 32
    }
    return {kind: shapes[kind] for kind in KINDS}  # a new kind needs its shape


def typed_code_regex(region: Region) -> str:
    return "(" + "|".join(f"{kind}:{shape}" for kind, shape in territory_code_patterns(region).items()) + ")"


TYPED_CODE_REGEX = typed_code_regex(HAUTS_DE_FRANCE)
AMOUNT_REGEX = "[0-9]+([.][0-9]{1,2})?"  # as format_amount writes it
NON_BLANK_REGEX = "[\\s\\S]*\\S[\\s\\S]*"
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    """A column of the canonical file. `item` is the regular expression one value matches in
    full (no alternation outside a group: it is repeated and anchored as it is); with
    `separator`, the cell is a list of such values. `expected` is what `webmap check` says a
    wrong value should be."""

    name: str
    title: str
    description: str
    expected: str
    type: str = "string"  # Table Schema type: string, number or boolean
    required: bool = False
    enum: tuple[str, ...] = ()
    item: str = ""
    separator: str = ""
    minimum: int | None = None

    @property
    def pattern(self) -> str:
        """The whole cell's regular expression (full match), or ''."""
        if not self.item:
            return ""
        return f"{self.item}({self.separator}{self.item})*" if self.separator else self.item

    @property
    def values(self) -> tuple[str, ...]:
        """The words a cell may hold, when the column has a closed list."""
        return tuple(CANONICAL_BOOLEANS) if self.type == "boolean" else self.enum

    def items(self, cell: str) -> list[str]:
        return cell.split(self.separator) if self.separator else [cell]

    def wrong_item(self, cell: str) -> str | None:
        """The first value of `cell` that breaks the column's rules (the cell itself when it
        is not a list), or None when the cell is right. A missing value is wrong only when
        the column is required."""
        if cell in MISSING_VALUES:
            return cell if self.required else None
        if self.values and cell not in self.values:
            return cell
        for item in self.items(cell):
            if self.item and not re.fullmatch(self.item, item):
                return item
        return None


def _bullets(words) -> str:
    return ", ".join(f"« {w} »" for w in words)


@lru_cache(maxsize=8)
def region_columns(region: Region) -> tuple[Column, ...]:
    """The canonical file's columns for a data folder's region (its departments and code)."""
    patterns = territory_code_patterns(region)
    return (
        Column("id", "Identifiant", "Identifiant stable du projet : minuscules, chiffres et tirets "
               "(64 caractères au plus), par exemple « hdf-2021-01 ».",
               "un identifiant en minuscules, chiffres et tirets (64 caractères au plus)",
               required=True, item=ID_REGEX),
        Column("titre", "Titre", "Titre du projet, tel qu'imprimé dans le dossier de presse.",
               "un titre non vide", required=True, item=NON_BLANK_REGEX),
        Column("porteur", "Porteur", "Association(s) porteuse(s) du projet ; vide si le texte ne la nomme pas.",
               ""),
        Column("theme", "Thème", "Rubrique du dossier de presse : " + " ; ".join(
            f"« {t.slug} » ({t.titre})" for t in THEMES) + ".",
            french_or(t.slug for t in THEMES), required=True, enum=tuple(t.slug for t in THEMES)),
        Column("echelle", "Échelle", "Rubrique géographique du dossier de presse : " + _bullets(ECHELLES) + ".",
               french_or(ECHELLES), required=True, enum=ECHELLES),
        Column("departements", "Départements", "Codes des départements servis, séparés par « ; » "
               f"({', '.join(region.departements)}) ; vide pour un projet de toute la région.",
               "vide (toute la région) ou des codes de département de la région séparés par « ; » : "
               + ", ".join(region.departements),
               item=patterns["departement"], separator=LIST_SEPARATOR),
        Column("territoires", "Territoires servis", "Codes typés des territoires servis, séparés par « ; » : "
               + _bullets(f"{kind}:…" for kind in KINDS) + " (code officiel géographique de l'INSEE, SIREN "
               f"pour un EPCI), par exemple « commune:02691 », « epci:200044618 » ou « region:{region.code} ».",
               "des codes typés de territoires de la région séparés par « ; », comme « commune:02691 », "
               f"« epci:200044618 » ou « region:{region.code} »",
               required=True, item=typed_code_regex(region), separator=LIST_SEPARATOR),
        Column("lieu", "Commune du marqueur", "Code INSEE de la commune où placer le marqueur, seulement "
               "si le texte la nomme ; vide sinon (le marqueur est alors au centre du territoire servi).",
               "vide ou le code INSEE d'une commune de la région", item=patterns["commune"]),
        Column("precision", "Précision du lieu", "« commune » si la commune du marqueur est connue, sinon le "
               "type le moins précis des territoires servis : " + _bullets(PRECISIONS) + ".",
               french_or(PRECISIONS), required=True, enum=PRECISIONS),
        Column("aller_vers", "Aller vers", "Le service lui-même se déplace jusqu'aux personnes (bus, "
               "épicerie mobile, maraude…) : « true » ou « false ».",
               french_or(CANONICAL_BOOLEANS), type="boolean", required=True),
        Column("zone_blanche", "Zone blanche", "Le texte vise explicitement des « zones blanches » : "
               "« true » ou « false ».",
               french_or(CANONICAL_BOOLEANS), type="boolean", required=True),
        Column("montant_eur", "Montant (euros)", "Montant accordé en euros, point décimal, deux décimales au "
               "plus, par exemple « 27500.50 » ; vide quand il n'est pas publié.",
               "vide (montant non publié) ou un nombre d'euros positif, ex. 27500.50",
               type="number", item=AMOUNT_REGEX, minimum=0),
        Column("description", "Description", "Texte du dossier de presse, paragraphes séparés par un saut "
               "de ligne.", ""),
        Column("lieux_cites", "Lieux cités", "Lieux tels qu'écrits dans le dossier de presse.", ""),
        Column("source", "Source", "Rubrique du dossier de presse d'où vient le projet.", ""),
        Column("note", "Note", "Interprétation d'un lieu vague ou ancien, quand il y en a une.", ""),
    )


COLUMNS: tuple[Column, ...] = region_columns(HAUTS_DE_FRANCE)
COLUMN_BY_NAME = {c.name: c for c in COLUMNS}
CANONICAL_COLUMNS = tuple(c.name for c in COLUMNS)
PRIMARY_KEY = "id"


def table_schema(columns: tuple[Column, ...] = COLUMNS, region: Region = HAUTS_DE_FRANCE) -> dict:
    """The canonical file's Table Schema (Frictionless Data, specs.frictionlessdata.io),
    published as /schema.json."""
    fields = []
    for column in columns:
        field = {"name": column.name, "type": column.type, "title": column.title,
                 "description": column.description}
        constraints: dict = {"required": column.required}
        if column.type == "boolean":
            field["trueValues"] = [w for w, meaning in CANONICAL_BOOLEANS.items() if meaning]
            field["falseValues"] = [w for w, meaning in CANONICAL_BOOLEANS.items() if not meaning]
        elif column.type == "number":
            field["decimalChar"] = "."
            if column.minimum is not None:
                constraints["minimum"] = column.minimum
        else:  # string: a closed list or a pattern (Table Schema patterns match the whole value)
            if column.enum:
                constraints["enum"] = list(column.enum)
            elif column.pattern:
                constraints["pattern"] = column.pattern
        if column.name == PRIMARY_KEY:
            constraints["unique"] = True
        field["constraints"] = constraints
        fields.append(field)
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "title": f"Projets de lutte contre la pauvreté financés par l'État en {region.nom}",
        "description": "Colonnes de projets.csv, le fichier canonique des projets (UTF-8, séparateur "
                       "« , »), tel que le valide la commande webmap check.",
        "fields": fields,
        "primaryKey": PRIMARY_KEY,
        "missingValues": list(MISSING_VALUES),
    }
