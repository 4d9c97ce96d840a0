"""The zone layers drawn from the projects' served areas: which projects each holds, its
name in the layer control and how it is drawn. Adding one: a record here (the dataset
builds its file, the app serves and exports it, the map draws it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from webmap.projects.store import Project


@dataclass(frozen=True)
class Zone:
    slug: str
    label: str
    selects: Callable[[Project], bool]
    # Options of the browser's polygon layer (static/polygons.js); "order" is set by the map.
    opts: dict = field(default_factory=dict)
    shown: bool = True
    by_theme: bool = False  # follows the view's theme filter


ZONES: tuple[Zone, ...] = (
    Zone("aller-vers", "Zones desservies par les unités « aller vers »", lambda p: p.aller_vers,
         {"colorProperty": "couleur", "style": {"weight": 2.5, "dashArray": "6 4", "fill": False}},
         by_theme=True),
    Zone("zones-blanches", "Zones blanches citées dans le dossier de presse", lambda p: p.zone_blanche,
         {"style": {"color": "#161616", "weight": 2, "dashArray": "2 4", "fillColor": "#161616",
                    "fillOpacity": 0.12}},
         shown=False),
)
ZONE_BY_SLUG = {zone.slug: zone for zone in ZONES}


def computed_zone_style(theme_color: str) -> dict:
    """Style of a theme's computed zones blanches (the communes no local project serves)."""
    return {"color": theme_color, "weight": 0.6, "fillColor": theme_color, "fillOpacity": 0.3}
