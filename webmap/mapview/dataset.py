"""Everything the app serves, loaded once: territories, projects and derived layers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import shapely

from webmap import code_fingerprint
from webmap.analysis.metrics import LEVEL_BY_SLUG, level_layer
from webmap.mapview.webgeo import (
    OUTLINE_OVERVIEW_TOLERANCE_DEG,
    OVERVIEW_GRID_DEG,
    overview_layer,
    overview_shapes,
    polygons_binary,
    simplify_for_screen,
)
from webmap.mapview.zones import ZONE_BY_SLUG
from webmap.projects.check import load_checked
from webmap.projects.store import Project, ThemeSelection
from webmap.reference.files import ReferenceFiles
from webmap.reference.territories import Territories

ZONE_TOLERANCE_DEG = 0.004  # outlines of served areas: drawn dashed, no shared borders
ZONE_TOOLTIP_PLACES = 5  # a zone's tooltip names this many of its territories, then counts the rest


def listed_briefly(labels: list[str], limit: int = ZONE_TOOLTIP_PLACES) -> str:
    """« Laon (02), Guise (02), … et 156 autres territoires »: a tooltip, not a list of 161
    communes (the project's card and page name them all)."""
    if len(labels) <= limit + 1:
        return ", ".join(labels)
    return f"{', '.join(labels[:limit])} et {len(labels) - limit} autres territoires"


@dataclass(frozen=True)
class PolygonPart:
    """One file of a level's map polygons: communes come one department per file (`key`),
    the other levels in one file (`key` None). `offset` is the index of the part's first
    feature in the level's order (the order of the values a page sends)."""

    key: str | None
    bbox: list[list[float]]  # [[south, west], [north, east]]
    codes: list[str]
    offset: int
    data: bytes
    overview: bytes | None = None  # the same features, simplified for low zooms
    names: list[str] | None = None  # communes: their names, in file order, served apart


@dataclass
class Dataset:
    files: ReferenceFiles
    territories: Territories
    projects: list[Project]
    version: str = ""
    # The canonical rows as validated (the downloads serve these, not the file on disk).
    rows: list[dict[str, str]] = field(default_factory=list, repr=False)
    modified: float | None = None  # the project file's modification time (POSIX), as loaded
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, files: ReferenceFiles, territories: Territories | None = None) -> Dataset:
        """Load and validate with the rules of `webmap check` (raises ProjectsRejected)."""
        territories = territories or Territories.load(files)
        try:  # before reading: a later write makes a new load
            modified: float | None = files.projects.stat().st_mtime
        except OSError:  # load_checked says what is wrong, in French
            modified = None
        checked = load_checked(files.projects, files, territories)
        digest = hashlib.sha256(checked.raw)
        for name in (level.layer for level in LEVEL_BY_SLUG.values()):
            stat = files.layer(name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        digest.update(code_fingerprint().encode())  # a new release: new data URLs too
        return cls(files, territories, checked.projects, digest.hexdigest()[:16], checked.rows, modified)

    def memo(self, key, compute):
        """A value computed once per dataset (the dataset never changes: a reload makes a new one)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @cached_property
    def by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}

    def territory_label(self, typed: str) -> str:
        territory = self.territories.get(typed)
        return territory.label if territory else typed

    def served_geometry(self, project: Project) -> shapely.Geometry:
        # Depends on the reference layers only: kept with them, across apps and data reloads.
        return self.territories.memo(("served", tuple(project.territoires)),
                                     lambda: self._served_geometry(project))

    def _served_geometry(self, project: Project) -> shapely.Geometry:
        geoms = [self.territories.geometry_of(t) for t in project.territoires]
        return shapely.union_all([g for g in geoms if g is not None], grid_size=1e-5)

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
        point = self.territories.representative_point(f"region:{self.territories.region.code}")
        assert point is not None
        return point

    def screen_layer(self, level: str) -> gpd.GeoDataFrame:
        """A level's polygons simplified for the screen (see webmap.mapview.webgeo)."""
        return self.territories.memo(("screen", level), lambda: self._screen_layer(level))

    def _screen_layer(self, level: str) -> gpd.GeoDataFrame:
        layer = level_layer(self.territories, level)
        columns = ["code", "nom", "departement", "geometry"] if level == "commune" else \
            ["code", "nom", "geometry"]
        return simplify_for_screen(layer[columns])

    def polygon_parts(self, level: str) -> list[PolygonPart]:
        return self.territories.memo(("polygons", level), lambda: self._polygon_parts(level))

    def _polygon_parts(self, level: str) -> list[PolygonPart]:
        layer = self.screen_layer(level).sort_values("code")
        groups = layer.groupby("departement") if level == "commune" else [(None, layer)]
        overview = None
        if level == "commune":
            overview = overview_layer(level_layer(self.territories, level)[["code", "geometry"]]).set_index("code")
        parts, offset = [], 0
        for key, group in groups:
            minx, miny, maxx, maxy = group.total_bounds
            bbox = [[round(miny, 4), round(minx, 4)], [round(maxy, 4), round(maxx, 4)]]
            codes = group["code"].tolist()
            if overview is None:  # other levels: one file, names included, and its overview
                simplified = overview_layer(group[["code", "nom", "geometry"]], OUTLINE_OVERVIEW_TOLERANCE_DEG)
                coarse = polygons_binary(simplified, ["code", "nom"], OVERVIEW_GRID_DEG)
                parts.append(PolygonPart(key, bbox, codes, offset, polygons_binary(group, ["code", "nom"]), coarse))
            else:  # communes: names apart (webmap.mapview.build.commune_parts)
                coarse = polygons_binary(overview.loc[codes].reset_index(), ["code"], OVERVIEW_GRID_DEG)
                parts.append(PolygonPart(key, bbox, codes, offset, polygons_binary(group, ["code"]), coarse,
                                         group["nom"].tolist()))
            offset += len(codes)
        return parts

    def polygon_part(self, level: str, key: str | None, overview: bool = False) -> bytes | None:
        part = next((p for p in self.polygon_parts(level) if p.key == key), None)
        return None if part is None else (part.overview if overview else part.data)

    def level_order(self, level: str) -> list[str]:
        """Codes of a level in the order of its map polygons (parts one after the other)."""
        return [code for part in self.polygon_parts(level) for code in part.codes]

    def coverage(self, theme: ThemeSelection):
        """Commune coverage table of a theme (see webmap.analysis.coverage)."""
        from webmap.analysis.coverage import commune_coverage

        return self.memo(("coverage", theme),
                         lambda: commune_coverage(self.projects, self.territories, theme))

    def metrics(self, level: str, theme: ThemeSelection):
        """Metrics of a level (see webmap.analysis.metrics), shared by every view that shows them."""
        from webmap.analysis.metrics import compute_metrics

        return self.memo(("metrics", level, theme), lambda: compute_metrics(
            self.projects, self.territories, level, theme, coverage=self.coverage(theme)))

    def uncovered_json(self, theme: str) -> str:
        return self.memo(("uncovered", theme), lambda: self._uncovered_json(theme))

    def _uncovered_json(self, theme: str) -> str:
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
                uncovered["projets_departemental"], uncovered["projets_regional"], strict=True)
        }
        return json.dumps(payload, separators=(",", ":"))

    def zones_polygons(self, which: str, overview: bool = False) -> bytes:
        """Served areas of the projects of a zone layer (webmap.mapview.zones), as drawn from
        DETAIL_ZOOM on, or simplified for lower zooms (`overview`)."""
        return self.memo(("zones", which, overview), lambda: self._zones_polygons(which, overview))

    def _zones_polygons(self, which: str, overview: bool) -> bytes:
        chosen = [p for p in self.projects if ZONE_BY_SLUG[which].selects(p)]
        frame = gpd.GeoDataFrame(
            {
                "code": [p.id for p in chosen],
                "titre": [p.titre for p in chosen],
                "detail": [listed_briefly([self.territory_label(t) for t in p.territoires]) for p in chosen],
                "couleur": [p.theme_info.couleur for p in chosen],
                "theme": [p.theme for p in chosen],
            },
            geometry=[shapely.simplify(self.served_geometry(p), ZONE_TOLERANCE_DEG)
                      for p in chosen],
            crs="EPSG:4326",
        )
        columns = ["code", "titre", "detail", "couleur", "theme"]
        if overview:
            return polygons_binary(frame.set_geometry(overview_shapes(frame.geometry.values)), columns,
                                   OVERVIEW_GRID_DEG)
        return polygons_binary(frame, columns)

    def warm_up(self) -> None:
        """Compute the shared resources before the server forks its workers."""
        for level in LEVEL_BY_SLUG:
            self.polygon_parts(level)
        for which in ZONE_BY_SLUG:
            self.zones_polygons(which)
            self.zones_polygons(which, overview=True)
        for theme in {p.theme for p in self.projects}:
            self.uncovered_json(theme)
