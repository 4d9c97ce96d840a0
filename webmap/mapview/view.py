"""What a map shows, as carried by the URL: level, metric, theme, department, project."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from webmap.analysis.metrics import LEVEL_RECORDS, LEVELS, METRIC_RECORDS, METRICS
from webmap.projects.schema import BOOLEAN_EXPECTED, THEME_BY_SLUG, parse_boolean
from webmap.reference.files import REGION_DEPARTEMENTS

ALL_THEMES = "tous"


@dataclass(frozen=True)
class MapView:
    niveau: str = "departement"
    indicateur: str = "projets"
    theme: str = ALL_THEMES
    departement: str | None = None
    projet: str | None = None
    legende: bool = True
    recherche: bool = True  # the search field (the embed hides it with recherche=non)

    @property
    def theme_filter(self) -> tuple[str, ...] | None:
        """The themes shown and counted: None for all of them."""
        return None if self.theme == ALL_THEMES else tuple(self.theme.split(","))

    @property
    def single_theme(self) -> str | None:
        themes = self.theme_filter
        return themes[0] if themes and len(themes) == 1 else None

    def query(self, **changes) -> dict[str, str]:
        """URL parameters of this view (with changes), defaults left out."""
        values = {"niveau": self.niveau, "indicateur": self.indicateur, "theme": self.theme,
                  "departement": self.departement or "", "projet": self.projet or "",
                  "legende": "" if self.legende else "non", "recherche": "" if self.recherche else "non"}
        values.update({k: v for k, v in changes.items()})
        defaults = MapView()
        return {k: v for k, v in values.items()
                if v and v != getattr(defaults, k, None)}


@dataclass(frozen=True)
class ParamError:
    name: str
    value: str
    accepted: str

    def message(self) -> str:
        return f"Paramètre « {self.name} » : valeur « {self.value} » inconnue. Valeurs acceptées : {self.accepted}."


ACCEPTED = {
    "niveau": (LEVELS, ", ".join(f"{r.slug} ({r.label})" for r in LEVEL_RECORDS)),
    "indicateur": (METRICS, ", ".join(f"{r.slug} ({r.label})" for r in METRIC_RECORDS)),
    "theme": ((ALL_THEMES, *THEME_BY_SLUG), ", ".join([ALL_THEMES, *THEME_BY_SLUG])),
}  # and "departement": the data folder's region's (parse_view)


def parse_view(params: Mapping[str, str], project_ids: set[str],
               departements: tuple[str, ...] = REGION_DEPARTEMENTS) -> tuple[MapView, list[ParamError]]:
    """Validate URL parameters; unknown values are errors that name what is accepted
    (`departements`: the data folder's region's)."""
    errors: list[ParamError] = []
    values: dict[str, object] = {}
    accepted_values = {**ACCEPTED, "departement": (departements, ", ".join(departements))}
    for name, (allowed, accepted) in accepted_values.items():
        raw = params.get(name)
        if raw is None or raw == "":
            continue
        if name == "theme" and "," in raw:
            # Several themes, separated by commas.
            parts = [t for t in raw.split(",") if t]
            bad = [t for t in parts if t not in THEME_BY_SLUG]
            if bad or not parts:
                errors.append(ParamError(name, raw, accepted + " (ou plusieurs thèmes séparés par des virgules)"))
            else:
                values[name] = ",".join(t for t in THEME_BY_SLUG if t in parts)
            continue
        if raw not in allowed:
            errors.append(ParamError(name, raw, accepted))
        else:
            values[name] = raw
    projet = params.get("projet")
    if projet:
        if projet not in project_ids:
            errors.append(ParamError("projet", projet, "un identifiant de projet, par exemple hdf-2021-01"))
        else:
            values["projet"] = projet
    for name in ("legende", "recherche"):
        raw = params.get(name)
        if raw:
            shown = parse_boolean(raw)
            if shown is None:
                errors.append(ParamError(name, raw, BOOLEAN_EXPECTED))
            else:
                values[name] = shown
    return MapView(**values), errors
