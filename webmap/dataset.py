"""Everything the app serves, loaded once: territories, projects and derived layers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import shapely

from webmap.projects.store import Project, load_projects
from webmap.reference.build import geojson_text
from webmap.reference.files import REGION_CODE, ReferenceFiles
from webmap.reference.territories import Territories

LEVEL_LAYERS = {"departement": "departements", "epci": "epci", "commune": "communes"}


@dataclass
class Dataset:
    files: ReferenceFiles
    territories: Territories
    projects: list[Project]
    version: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, files: ReferenceFiles, territories: Territories | None = None) -> "Dataset":
        territories = territories or Territories.load(files)
        projects = load_projects(files.projects)
        digest = hashlib.sha256(files.projects.read_bytes())
        for name in LEVEL_LAYERS.values():
            stat = files.layer(name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return cls(files, territories, projects, digest.hexdigest()[:16])

    @cached_property
    def by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}

    def territory_label(self, typed: str) -> str:
        territory = self.territories.get(typed)
        return territory.label if territory else typed

    def served_geometry(self, project: Project) -> shapely.Geometry:
        key = ("served", project.territoires)
        if key not in self._cache:
            geoms = [self.territories.geometry_of(t) for t in project.territoires]
            self._cache[key] = shapely.union_all([g for g in geoms if g is not None],
                                                 grid_size=1e-5)
        return self._cache[key]

    def marker_point(self, project: Project) -> tuple[float, float]:
        """(lat, lon): the named commune's town hall, else a point inside the served area."""
        if project.lieu:
            point = self.territories.representative_point(f"commune:{project.lieu}")
            if point:
                return point
        if len(project.territoires) == 1:
            point = self.territories.representative_point(project.territoires[0])
            if point:
                return point
        inside = self.served_geometry(project).representative_point()
        return round(inside.y, 5), round(inside.x, 5)

    @cached_property
    def region_center(self) -> tuple[float, float]:
        point = self.territories.representative_point(f"region:{REGION_CODE}")
        assert point is not None
        return point

    def level_geojson(self, level: str) -> str:
        """Geometry of a level with only code and name: the choropleths' shared resource."""
        key = ("level", level)
        if key not in self._cache:
            layer = self.territories.communes if level == "commune" else \
                self.territories.layers[LEVEL_LAYERS[level]]
            self._cache[key] = geojson_text(layer[["code", "nom", "geometry"]])
        return self._cache[key]

    def coverage(self, theme: str | None):
        """Commune coverage table of a theme (see webmap.coverage)."""
        key = ("coverage", theme)
        if key not in self._cache:
            from webmap.coverage import commune_coverage

            self._cache[key] = commune_coverage(self.projects, self.territories, theme)
        return self._cache[key]

    def uncovered_json(self, theme: str) -> str:
        """code -> [population, km to the nearest local project, departmental and regional
        projects nominally covering it] for the communes no local project serves."""
        import json
        import math

        table = self.coverage(theme)
        uncovered = table[~table["couverte"]]
        payload = {
            code: [int(pop), None if math.isnan(dist) else round(float(dist), 1),
                   len([d for d in dep.split(";") if d]), len([r for r in reg.split(";") if r])]
            for code, pop, dist, dep, reg in zip(
                uncovered["code"], uncovered["population"], uncovered["distance_km"],
                uncovered["projets_departemental"], uncovered["projets_regional"])
        }
        return json.dumps(payload, separators=(",", ":"))

    def zones_geojson(self, which: str) -> str:
        """Served areas of the 'aller vers' projects, or of the named 'zones blanches'."""
        key = ("zones", which)
        if key not in self._cache:
            chosen = [p for p in self.projects
                      if (p.aller_vers if which == "aller-vers" else p.zone_blanche)]
            frame = gpd.GeoDataFrame(
                {
                    "code": [p.id for p in chosen],
                    "titre": [p.titre for p in chosen],
                    "detail": [", ".join(self.territory_label(t) for t in p.territoires)
                               for p in chosen],
                    "couleur": [p.theme_info.couleur for p in chosen],
                    "theme": [p.theme for p in chosen],
                },
                geometry=[self.served_geometry(p) for p in chosen],
                crs="EPSG:4326",
            )
            self._cache[key] = geojson_text(frame)
        return self._cache[key]
