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
    # Projects of the layer whose area the text does not locate: not painted, named in words.
    unlocated: Callable[[Project], bool] | None = None

    def unlocated_note(self, projects, label_of: Callable[[str], str]) -> str:
        """« (non localisées, non dessinées : Somme — <title>) », or "" when every project of
        the layer is painted. For the page's legend (Jinja escapes it), never for the layer's
        name, which goes through a Folium template (tests/test_security.py)."""
        if self.unlocated is None:
            return ""
        named = [", ".join(label_of(t) for t in p.territoires) + f" — {p.titre}"
                 for p in projects if self.unlocated(p)]
        return f" (non localisées, non dessinées : {' ; '.join(named)})" if named else ""


def _zone_blanche_unlocated(project: Project) -> bool:
    """A cited zone blanche the text places no closer than a whole department (« les zones
    du département de la Somme non couvertes ») is not located: painting the department
    would say the whole of it is a zone blanche (docs/projets.md)."""
    return project.zone_blanche and project.commitment != "local"


# Zone lines are black: a line has one colour, and only black reaches 3:1 (WCAG 1.4.11)
# against every class of the choropleth under every zone fill (the theme colours reach
# 1.2:1 on the middle classes); the dash pattern tells the layers apart, the tooltip names
# the project (tests/test_contrast.py).
ZONE_LINE = "#000000"

ZONES: tuple[Zone, ...] = (
    Zone("aller-vers", "Zones desservies par les unités « aller vers »", lambda p: p.aller_vers,
         {"style": {"color": ZONE_LINE, "weight": 2.5, "dashArray": "6 4", "fill": False}},
         by_theme=True),
    Zone("zones-blanches", "Zones blanches citées dans le dossier de presse",
         lambda p: p.zone_blanche and not _zone_blanche_unlocated(p),
         {"style": {"color": ZONE_LINE, "weight": 2, "dashArray": "2 4", "fillColor": "#161616",
                    "fillOpacity": 0.12}},
         shown=False, unlocated=_zone_blanche_unlocated),
)
ZONE_BY_SLUG = {zone.slug: zone for zone in ZONES}


def computed_zone_style(theme_color: str) -> dict:
    """Style of a theme's computed zones blanches (the communes no local project serves):
    tinted in the theme's colour, outlined in black."""
    return {"color": ZONE_LINE, "weight": 1, "fillColor": theme_color, "fillOpacity": 0.3}
