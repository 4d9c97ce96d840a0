"""Where the reference files live, and the region they describe."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Region:
    """The territory a data folder covers: the projects' departments and the code of
    `region:…` must be its own."""

    code: str
    nom: str
    departements: tuple[str, ...]


HAUTS_DE_FRANCE = Region("32", "Hauts-de-France", ("02", "59", "60", "62", "80"))
# The shipped data's region: what `webmap build-data` builds and the press kit describes.
REGION_CODE = HAUTS_DE_FRANCE.code
REGION_NAME = HAUTS_DE_FRANCE.nom
REGION_DEPARTEMENTS = HAUTS_DE_FRANCE.departements
REGION_FILE = "region.json"
_CODE = re.compile(r"[0-9A-Z]{2,3}")


class RegionFileError(ValueError):
    """A data folder's region.json that cannot be used (French message, file located)."""


def read_region(path: Path) -> Region:
    """A data folder's region: its `region.json` ({"code", "nom", "departements"}), or the
    Hauts-de-France when the folder has none (the shipped data). Another region's folder (the
    benchmark's national scenario) says which departments its projects may name."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return HAUTS_DE_FRANCE
    except (OSError, UnicodeDecodeError) as error:
        raise RegionFileError(f"{path} : illisible ({error.__class__.__name__}).") from None
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise RegionFileError(f"{path}, ligne {error.lineno}, colonne {error.colno} : JSON invalide "
                              f"({error.msg}).") from None
    expected = ('un objet {"code": "32", "nom": "Hauts-de-France", "departements": ["02", "59", …]}, '
                "codes de 2 ou 3 chiffres ou lettres majuscules")
    if not isinstance(raw, dict) or set(raw) != {"code", "nom", "departements"}:
        raise RegionFileError(f"{path} : attendu {expected}.")
    code, nom, departements = raw["code"], raw["nom"], raw["departements"]
    if not (isinstance(code, str) and _CODE.fullmatch(code) and isinstance(nom, str) and nom.strip()
            and isinstance(departements, list) and departements
            and all(isinstance(d, str) and _CODE.fullmatch(d) for d in departements)
            and len(set(departements)) == len(departements)):
        raise RegionFileError(f"{path} : valeur {json.dumps(raw, ensure_ascii=False)[:200]} — attendu {expected}.")
    return Region(code, nom.strip(), tuple(sorted(departements)))

LAYERS = ("communes", "departements", "epci", "arrondissements", "cantons")


def default_data_dir() -> Path:
    """`WEBMAP_DATA_DIR`, else the repository's `data/` folder."""
    env = os.environ.get("WEBMAP_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class ReferenceFiles:
    root: Path

    def layer(self, name: str) -> Path:
        return self.root / f"{name}.geojson"

    @property
    def outside_names(self) -> Path:
        return self.root / "hors_region.csv"

    @property
    def postal_codes(self) -> Path:
        return self.root / "codes_postaux.csv"

    @property
    def former_communes(self) -> Path:
        return self.root / "communes_anciennes.csv"

    @property
    def sources(self) -> Path:
        return self.root / "SOURCES.md"

    @property
    def projects(self) -> Path:
        return self.root / "projets.csv"

    @cached_property
    def region(self) -> Region:
        return read_region(self.root / REGION_FILE)
