"""Gazetteer: resolve place names as people write them to typed codes of the region.

`Gazetteer.resolve("Rozoy sur Serre")` -> Resolution(status="ok", places=(commune:02666,)).
Rules: case, accents, hyphens/spaces, ’ vs ', "St"/"Ste", articles, EPCI type prefixes
("CC", "Communauté d'agglomération"…), former or short EPCI names (aliases file), the
"Name (59)" form and a department filter for homonyms. Places outside the region are
recognised and rejected with a message saying so.

Former communes (communes déléguées and associées, merged or renamed communes:
`data/communes_anciennes.csv`) resolve to today's commune with a note. With a department
given, names as La Poste writes them (`noms_postaux` of `data/codes_postaux.csv`: « LEZ »,
short or cut names) and names cut short resolve when a single commune of the department
matches, flagged `approximate`; several matches are an ambiguity, never a guess.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from webmap.reference.files import HAUTS_DE_FRANCE, REGION_NAME, ReferenceFiles
from webmap.reference.territories import (
    KIND_LABELS,
    Territories,
    Territory,
)

ALIASES_PATH = Path(__file__).with_name("aliases.csv")

Status = Literal["ok", "ambiguous", "unknown", "outside"]

# Words that say what kind of territory follows; longest first so that
# "communaute d agglomeration" wins over "communaute".
_KIND_PREFIXES: list[tuple[str, str]] = sorted(
    [
        ("communaute de communes", "epci"),
        ("communaute de commune", "epci"),
        ("communaute d agglomeration", "epci"),
        ("communaute urbaine", "epci"),
        ("metropole europeenne", "epci"),
        ("metropole", "epci"),
        ("agglomeration", "epci"),
        ("agglo", "epci"),
        ("cc", "epci"),
        ("ca", "epci"),
        ("cu", "epci"),
        ("epci", "epci"),
        ("intercommunalite", "epci"),
        ("arrondissements", "arrondissement"),
        ("arrondissement", "arrondissement"),
        ("ex canton", "canton"),
        ("ancien canton", "canton"),
        ("canton", "canton"),
        ("departement", "departement"),
        ("region", "region"),
        ("commune", "commune"),
        ("ville", "commune"),
    ],
    key=lambda item: -len(item[0]),
)
# Longest first, as _strip_leading expects.
_CONNECTORS = tuple(sorted(("de la", "de l", "des", "du", "de", "d", "l", "la", "le", "les"), key=len, reverse=True))
_ARTICLES = tuple(sorted(("la", "le", "les", "l"), key=len, reverse=True))
_GENERIC_TAILS = ("agglomeration", "agglo", "metropole")
# A name cut short (La Poste cuts at 32 characters) may end mid-word: from this many letters
# on, a query may match the start of a word; shorter, only whole words ('MONTREUIL').
_CUT_MIN_LETTERS = 20
_PREFIX_MIN_LETTERS = 4
_FORMER_NOTES = {
    "commune-deleguee": "ancienne commune (commune déléguée), aujourd'hui {nom}",
    "commune-associee": "ancienne commune (commune associée), aujourd'hui {nom}",
    "commune-fusionnee": "ancienne commune, fusionnée, aujourd'hui {nom}",
    "ancien-nom": "ancien nom de la commune, aujourd'hui {nom}",
}
_DEPT_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<dep>\d[\dAB]|97\d)\s*\)\s*$", re.I)


_SUR = re.compile(r"\bs/\s*")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SPELLED_OUT = {"st": "saint", "ste": "sainte"}


@lru_cache(maxsize=1 << 17)
def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, 'St'/'Ste' spelled out. Cached: a
    gazetteer normalizes every name of the region (about 45,000 calls), again on each load."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    text = _SUR.sub("sur ", text)
    text = _NOT_ALNUM.sub(" ", text)
    return " ".join(_SPELLED_OUT.get(w, w) for w in text.split())


def _strip_leading(words: str, candidates: Iterable[str]) -> str:
    """`candidates` longest first."""
    for cand in candidates:
        if words == cand:
            return words
        if words.startswith(cand + " "):
            return words[len(cand) + 1:]
    return words


_KIND_FIRST_WORDS = frozenset(prefix.split()[0] for prefix, _ in _KIND_PREFIXES)


def split_kind(normalized: str) -> tuple[str | None, str]:
    """'cc de la picardie verte' -> ('epci', 'picardie verte')."""
    if normalized.split(" ", 1)[0] not in _KIND_FIRST_WORDS:  # most names: no kind word
        return None, normalized
    for prefix, kind in _KIND_PREFIXES:
        if normalized.startswith(prefix + " "):
            rest = _strip_leading(normalized[len(prefix) + 1:], _CONNECTORS)
            return kind, rest
    return None, normalized


def without_article(normalized: str) -> str:
    """'la picardie verte' -> 'picardie verte' (normalized text; a lone article is kept)."""
    return _strip_leading(normalized, _ARTICLES)


def _postal_form(normalized: str) -> str:
    """La Poste writes « LEZ » for « lès » (and the other way round): one spelling for both."""
    return " ".join("les" if word == "lez" else word for word in normalized.split())


@dataclass(frozen=True)
class Place:
    """A resolved territory, with a note when the name used is a former or loose one."""

    territory: Territory
    note: str = ""
    approximate: bool = False  # a postal, short or cut spelling, not the name itself

    @property
    def typed_code(self) -> str:
        return self.territory.typed_code

    def describe(self) -> str:
        t = self.territory
        text = f"{t.typed_code}\t{t.label} — {KIND_LABELS[t.kind]}"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class OutsidePlace:
    kind: str
    code: str
    nom: str
    departement: str

    def describe(self) -> str:
        where = f", {self.departement}" if self.departement and self.kind != "departement" else ""
        return f"{self.nom} ({KIND_LABELS.get(self.kind, self.kind)}{where})"


@dataclass(frozen=True)
class Resolution:
    query: str
    status: Status
    places: tuple[Place, ...] = ()
    outside: tuple[OutsidePlace, ...] = ()
    suggestions: tuple[str, ...] = ()
    departement: str = ""  # the department the query was limited to, if any
    region: str = REGION_NAME  # the data folder's region, named in the messages

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def approximate(self) -> bool:
        return self.ok and self.places[0].approximate

    @property
    def place(self) -> Place:
        if not self.ok:
            raise ValueError(self.message)
        return self.places[0]

    @property
    def message(self) -> str:
        """What went wrong, in French (empty when resolved)."""
        q = self.query
        if self.status == "ok":
            return ""
        if self.status == "ambiguous":
            listed = " ; ".join(f"{p.territory.label} [{p.typed_code}]" for p in self.places)
            deps = sorted({d for p in self.places for d in p.territory.departements})
            hint = f" Précisez le département, par exemple « {_bare(q)} ({deps[0]}) »." if deps else ""
            if self.departement and deps == [self.departement]:
                hint = f" Même dans le département {self.departement}, précisez le nom complet de la commune."
            return f"« {q} » est ambigu : {len(self.places)} lieux possibles : {listed}.{hint}"
        if self.status == "outside":
            listed = " ; ".join(o.describe() for o in self.outside[:5])
            return f"« {q} » est hors de la région {self.region} : {listed}."
        text = (f"« {q} » est inconnu : aucune commune, intercommunalité, arrondissement, "
                f"canton ou département de la région {self.region} ne porte ce nom.")
        if self.suggestions:
            text += " Vouliez-vous dire : " + " ; ".join(self.suggestions) + " ?"
        return text


def _bare(query: str) -> str:
    match = _DEPT_SUFFIX.match(query)
    return match.group("name") if match else query


@dataclass
class _Entry:
    place: Place
    rank: int  # 0: the name itself; 1: without article/prefix; 2: looser


@dataclass
class Gazetteer:
    territories: Territories
    outside_rows: list[dict[str, str]] = field(default_factory=list)
    aliases: list[dict[str, str]] = field(default_factory=list)
    former_rows: list[dict[str, str]] = field(default_factory=list)
    postal_rows: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, files: ReferenceFiles, territories: Territories | None = None) -> Gazetteer:
        territories = territories or Territories.load(files)
        with open(files.outside_names, encoding="utf-8", newline="") as handle:
            outside = list(csv.DictReader(handle))
        # The aliases are the press kit's names for places of the Hauts-de-France: another
        # region's folder (the benchmark's national scenario) resolves official names only.
        aliases = load_aliases() if territories.region == HAUTS_DE_FRANCE else []
        return cls(territories, outside, aliases, read_former_communes(files), _read_rows(files.postal_codes))

    def __post_init__(self) -> None:
        # (kind or None for 'any kind', key) -> entries
        self._index: dict[tuple[str | None, str], list[_Entry]] = defaultdict(list)
        self._outside: dict[str, list[OutsidePlace]] = defaultdict(list)
        for territory in self.territories.by_code.values():
            self._add_territory(territory)
        for row in self.outside_rows:
            place = OutsidePlace(row["type"], row["code"], row["nom"], row["departement"])
            norm = normalize(row["nom"])
            self._outside[norm].append(place)
            kind, core = split_kind(norm)
            if kind or core != norm:
                self._outside[core].append(place)
            if without_article(norm) != norm:
                self._outside[without_article(norm)].append(place)
        for alias in self.aliases:
            self._add_alias(alias)
        for row in self.former_rows:
            self._add_former(row)
        self._names = sorted({key for (_, key) in self._index})
        self._spellings = self._postal_spellings()

    def _add(self, kind: str | None, key: str, place: Place, rank: int) -> None:
        if key:
            self._index[(kind, key)].append(_Entry(place, rank))

    def _add_territory(self, t: Territory, note: str = "") -> None:
        place = Place(t, note)
        norm = normalize(t.nom)
        if t.kind in ("commune", "departement", "region"):
            self._add(None, norm, place, 0)
            self._add(t.kind, norm, place, 0)
            bare = without_article(norm)
            if bare != norm:
                self._add(None, bare, place, 1)
                self._add(t.kind, bare, place, 1)
            if t.kind == "departement":
                self._add(None, t.code, place, 0)
        elif t.kind == "epci":
            self._add_epci_keys(t, place, [t.nom] + self._epci_short_names(t))
        else:  # arrondissement, canton: only when the text says which kind it is
            self._add(t.kind, norm, place, 0)
            if without_article(norm) != norm:
                self._add(t.kind, without_article(norm), place, 1)

    def _epci_short_names(self, t: Territory) -> list[str]:
        layer = self.territories.layers["epci"]
        match = layer[layer["code"] == t.code]
        return [n for n in match["nom_court"].tolist() if n]

    def _add_epci_keys(self, t: Territory, place: Place, names: list[str]) -> None:
        for name in names:
            norm = normalize(name)
            self._add(None, norm, place, 0)
            kind, core = split_kind(norm)
            self._add("epci", core, place, 0)
            self._add(None, core, place, 1)
            for tail in _GENERIC_TAILS:
                if core.endswith(" " + tail):
                    loose = core[: -len(tail) - 1]
                    self._add("epci", loose, place, 1)
                    self._add(None, loose, place, 2)

    def _add_alias(self, alias: dict[str, str]) -> None:
        territory = self.territories.get(alias["cible"])
        if territory is None:
            raise ValueError(f"alias {alias['alias']!r} : code inconnu {alias['cible']!r}")
        place = Place(territory, alias.get("note", ""))
        norm = normalize(alias["alias"])
        kind, core = split_kind(norm)
        self._add(None, norm, place, 0)
        if alias.get("exacte") == "oui":
            # Only this spelling carries the note (e.g. an ex-canton vs today's canton).
            self._add(territory.kind, norm, place, 0)
            return
        self._add(territory.kind, core, place, 0)
        if kind is None:
            self._add(None, core, place, 1)

    def _add_former(self, row: dict[str, str]) -> None:
        territory = self.territories.get(f"commune:{row['commune']}")
        norm = normalize(row["nom"])
        if territory is None or norm == normalize(territory.nom):
            return  # not a commune of these territories, or the commune déléguée chef-lieu
        template = _FORMER_NOTES.get(row.get("type", ""), "ancienne commune, aujourd'hui {nom}")
        place = Place(territory, template.format(nom=territory.nom))
        for key, rank in ((norm, 0), (without_article(norm), 1)):
            self._add(None, key, place, rank)
            self._add("commune", key, place, rank)

    def _postal_spellings(self) -> dict[str, list[tuple[str, str, Territory, bool]]]:
        """Department -> (spelling, compact spelling, commune, whether it is a postal name) for
        every official name (with and without article) and every name La Poste writes, in
        `_postal_form`."""
        postal = {row["code"]: [n for n in row.get("noms_postaux", "").split(";") if n]
                  for row in self.postal_rows}
        out: dict[str, list[tuple[str, str, Territory, bool]]] = defaultdict(list)
        for territory in self.territories.by_code.values():
            if territory.kind != "commune":
                continue
            norm = normalize(territory.nom)
            official = {norm, without_article(norm)}
            names = official | {normalize(n) for n in postal.get(territory.code, [])}
            for name in sorted(names):
                spelled = _postal_form(name)
                out[territory.departements[0]].append(
                    (spelled, spelled.replace(" ", ""), territory, name not in official))
        return out

    def _resolve_spelling(self, query: str, norm: str, departement: str) -> Resolution | None:
        """A commune of `departement` written as La Poste does, or cut short: the single one
        whose name or postal name is spelled the same (« LEZ », spaces), else the single one
        whose name starts with the query. None when nothing matches."""
        spelled = _postal_form(norm)
        compact = spelled.replace(" ", "")
        names = self._spellings.get(departement, [])
        matches = [(t, postal) for _, c, t, postal in names if c == compact]
        by_prefix = False
        if not matches and len(compact) >= _PREFIX_MIN_LETTERS:
            cut = len(compact) >= _CUT_MIN_LETTERS  # long enough to have been cut mid-word
            matches = [(t, postal) for s, c, t, postal in names
                       if s.startswith(spelled + " ") or (cut and c.startswith(compact))]
            by_prefix = True
        same = _unique_territories(t for t, _ in matches)
        if not same:
            return None
        if len(same) > 1:
            return Resolution(query, "ambiguous", tuple(Place(t, approximate=True) for t in same),
                              departement=departement)
        territory = same[0]
        if by_prefix:
            how = f"nom abrégé ou coupé : seule commune du département {departement} dont le nom commence ainsi"
        elif any(postal for _, postal in matches):
            how = "nom écrit par La Poste"
        else:
            how = "variante d'écriture du nom officiel"
        note = f"correspondance approchée : « {_bare(query)} » lu comme {territory.nom} ({how})"
        return Resolution(query, "ok", (Place(territory, note, approximate=True),))

    def search_keys(self, kinds: tuple[str, ...] = ("commune", "epci", "departement")) -> dict[str, set[str]]:
        """Every normalized name the resolver knows a place of `kinds` by (official names,
        without article, short and former names of EPCI, department codes): the keys of the
        map's search, so that it finds what `resolve` finds."""
        keys: dict[str, set[str]] = defaultdict(set)
        for (_, key), entries in self._index.items():
            for entry in entries:
                territory = entry.place.territory
                if territory.kind in kinds:
                    keys[territory.typed_code].add(key)
        return dict(keys)

    def resolve(self, text: str, departement: str | None = None) -> Resolution:
        resolution = self._resolve(text, departement)
        region = self.territories.region.nom
        return resolution if resolution.region == region else replace(resolution, region=region)

    def _resolve(self, text: str, departement: str | None = None) -> Resolution:
        query = text.strip()
        match = _DEPT_SUFFIX.match(query)
        name = match.group("name") if match else query
        if match:
            departement = departement or match.group("dep").upper().zfill(2)
        norm = normalize(name)
        if not norm:
            return Resolution(query, "unknown")
        if departement and departement not in self.territories.region.departements:
            outside = _unique_outside([
                o for o in self._outside.get(norm, []) + self._outside.get(split_kind(norm)[1], [])
                if departement in o.departement.split(";")])
            dept = [o for o in self.outside_places("departement") if o.code == departement]
            return Resolution(query, "outside", outside=tuple(outside or dept) or (
                OutsidePlace("departement", departement, f"département {departement}", ""),))
        kind, core = split_kind(norm)
        candidates = self._candidates(norm, kind, core)
        if departement:
            candidates = [e for e in candidates if departement in e.place.territory.departements]
        if candidates:
            best = min(e.rank for e in candidates)
            places = _unique(e.place for e in candidates if e.rank == best)
            status: Status = "ok" if len(places) == 1 else "ambiguous"
            return Resolution(query, status, tuple(sorted(places, key=lambda p: p.typed_code)),
                              departement=departement or "")
        if departement and kind in (None, "commune"):
            spelled = self._resolve_spelling(query, core, departement)
            if spelled is not None:
                return spelled
        outside = _unique_outside(self._outside.get(norm, []) + self._outside.get(core, []))
        if outside and not departement:
            return Resolution(query, "outside", outside=tuple(outside))
        suggestions = difflib.get_close_matches(core, self._names, n=3, cutoff=0.8)
        return Resolution(query, "unknown", suggestions=tuple(
            self._suggest_label(s) for s in suggestions))

    def outside_places(self, kind: str) -> list[OutsidePlace]:
        return [OutsidePlace(r["type"], r["code"], r["nom"], r["departement"])
                for r in self.outside_rows if r["type"] == kind]

    def _candidates(self, norm: str, kind: str | None, core: str) -> list[_Entry]:
        if kind is None:
            return list(self._index.get((None, norm), []))
        exact = self._index.get((None, norm), [])
        typed = [e for e in exact if e.place.territory.kind == kind]
        return typed + list(self._index.get((kind, core), []))

    def _suggest_label(self, key: str) -> str:
        entries = self._index.get((None, key)) or next(
            (v for (k, n), v in self._index.items() if n == key), [])
        return entries[0].place.territory.label if entries else key


def _unique(places: Iterable[Place]) -> list[Place]:
    seen: dict[str, Place] = {}
    for place in places:
        current = seen.get(place.typed_code)
        if current is None or (place.note and not current.note):
            seen[place.typed_code] = place
    return list(seen.values())


def _unique_territories(territories: Iterable[Territory]) -> list[Territory]:
    return sorted({t.typed_code: t for t in territories}.values(), key=lambda t: t.typed_code)


def read_former_communes(files: ReferenceFiles) -> list[dict[str, str]]:
    """The former communes' names (data/communes_anciennes.csv), for a gazetteer."""
    return _read_rows(files.former_communes)


def _read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of an optional reference file (a data folder made before it existed has none)."""
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _unique_outside(places: list[OutsidePlace]) -> list[OutsidePlace]:
    return list({(p.kind, p.code): p for p in places}.values())


def load_aliases(path: Path = ALIASES_PATH) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))

