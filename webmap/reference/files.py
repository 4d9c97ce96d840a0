"""Where the reference files live, and the region they describe."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REGION_CODE = "32"
REGION_NAME = "Hauts-de-France"
REGION_DEPARTEMENTS = ("02", "59", "60", "62", "80")

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
