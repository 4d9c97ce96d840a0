"""Loading the canonical project file into typed records."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from webmap.projects.schema import (
    CANONICAL_BOOLEANS,
    CANONICAL_COLUMNS,
    LOCAL_PRECISIONS,
    THEME_BY_SLUG,
    Theme,
)


@dataclass(frozen=True)
class Project:
    id: str
    titre: str
    porteur: str
    theme: str
    echelle: str
    departements: tuple[str, ...]
    territoires: tuple[str, ...]
    lieu: str
    precision: str
    aller_vers: bool
    zone_blanche: bool
    montant_eur: Decimal | None
    description: str
    lieux_cites: str
    source: str
    note: str

    @property
    def theme_info(self) -> Theme:
        return THEME_BY_SLUG[self.theme]

    @property
    def regionwide(self) -> bool:
        """Serves the whole region (the data folder's, the only one `webmap check` lets a row
        name): listed apart rather than pinned on one town."""
        return len(self.territoires) == 1 and self.territoires[0].startswith("region:")

    @property
    def precise(self) -> bool:
        return bool(self.lieu)

    @property
    def commitment(self) -> str:
        """local, departemental or regional: how closely the project is tied to a place."""
        if self.precision in LOCAL_PRECISIONS:
            return "local"
        return "departemental" if self.precision == "departement" else "regional"


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(";") if v)


def project_from_row(row: dict[str, str]) -> Project:
    return Project(
        id=row["id"], titre=row["titre"], porteur=row["porteur"], theme=row["theme"],
        echelle=row["echelle"], departements=_split(row["departements"]),
        territoires=_split(row["territoires"]), lieu=row["lieu"], precision=row["precision"],
        aller_vers=CANONICAL_BOOLEANS[row["aller_vers"]],
        zone_blanche=CANONICAL_BOOLEANS[row["zone_blanche"]],
        montant_eur=Decimal(row["montant_eur"]) if row["montant_eur"] else None,
        description=row["description"], lieux_cites=row["lieux_cites"], source=row["source"],
        note=row["note"],
    )


def load_projects(path: Path) -> list[Project]:
    """Read a canonical file (validated with `webmap check` beforehand)."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CANONICAL_COLUMNS:
            raise ValueError(f"{path} : en-tête inattendu")
        return [project_from_row(row) for row in reader]


ThemeSelection = str | tuple[str, ...] | None


def select_themes(projects: list[Project], themes: ThemeSelection) -> list[Project]:
    """Projects of one theme, of several (tuple), or all (None)."""
    if themes is None:
        return list(projects)
    wanted = (themes,) if isinstance(themes, str) else themes
    return [p for p in projects if p.theme in wanted]
