"""The region's territories as loaded from the reference files: names, members, geometry.

Typed codes name a territory: `commune:02141`, `epci:200044618`, `arrondissement:623`,
`canton:6015`, `departement:80`, `region:32`.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from webmap.reference.files import HAUTS_DE_FRANCE, REGION_FILE, ReferenceFiles, Region, RegionFileError

KINDS = ("commune", "epci", "arrondissement", "canton", "departement", "region")
KIND_LABELS = {
    "commune": "commune",
    "epci": "intercommunalité (EPCI)",
    "arrondissement": "arrondissement",
    "canton": "canton",
    "departement": "département",
    "region": "région",
}


def split_typed_code(typed: str) -> tuple[str, str]:
    """`'epci:200044618'` -> `('epci', '200044618')`; ValueError when malformed."""
    kind, sep, code = typed.partition(":")
    if not sep or kind not in KINDS or not code:
        raise ValueError(typed)
    return kind, code


@dataclass(frozen=True)
class Territory:
    kind: str
    code: str
    nom: str
    departements: tuple[str, ...]
    population: int

    @property
    def typed_code(self) -> str:
        return f"{self.kind}:{self.code}"

    @property
    def label(self) -> str:
        """Name as shown to a person: 'La Capelle (02)', 'Somme', 'CA Amiens Métropole'."""
        if self.kind in ("commune", "canton", "arrondissement") and self.departements:
            prefix = {"canton": "canton de ", "arrondissement": "arrondissement de "}.get(self.kind, "")
            return f"{prefix}{self.nom} ({self.departements[0]})"
        return self.nom


@dataclass
class Territories:
    """All reference layers of the region, with lookups by typed code."""

    communes: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    region: Region = HAUTS_DE_FRANCE
    # Values derived from the geometry alone (screen polygons), shared by every dataset
    # built on these territories: a data reload does not recompute them.
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key, compute):
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]

    @classmethod
    def load(cls, files: ReferenceFiles) -> Territories:
        region = files.region
        communes = _read(files.layer("communes"))
        layers = {name: _read(files.layer(name))
                  for name in ("departements", "epci", "arrondissements", "cantons")}
        drawn = tuple(sorted(layers["departements"]["code"]))
        if drawn != region.departements:
            raise RegionFileError(
                f"{files.root / REGION_FILE} : la région {region.nom} compte les départements "
                f"{', '.join(region.departements)} ; {files.layer('departements')} en décrit "
                f"d'autres : {', '.join(drawn)} (attendu : les mêmes).")
        return cls(communes=communes, layers=layers, region=region)

    @cached_property
    def by_code(self) -> dict[str, Territory]:
        out: dict[str, Territory] = {}
        total = int(self.communes["population"].sum())
        region = self.region
        out[f"region:{region.code}"] = Territory("region", region.code, region.nom, region.departements, total)
        for row in self.communes.itertuples():
            out[f"commune:{row.code}"] = Territory("commune", row.code, row.nom,
                                                   (row.departement,), int(row.population))
        for row in self.layers["departements"].itertuples():
            out[f"departement:{row.code}"] = Territory("departement", row.code, row.nom,
                                                       (row.code,), int(row.population))
        for row in self.layers["epci"].itertuples():
            out[f"epci:{row.code}"] = Territory("epci", row.code, row.nom,
                                                tuple(row.departements.split(";")),
                                                int(row.population))
        for row in self.layers["arrondissements"].itertuples():
            out[f"arrondissement:{row.code}"] = Territory(
                "arrondissement", row.code, row.nom, (row.departement,), int(row.population))
        for row in self.layers["cantons"].itertuples():
            out[f"canton:{row.code}"] = Territory("canton", row.code, row.nom,
                                                  (row.departement,), int(row.population))
        return out

    def get(self, typed: str) -> Territory | None:
        return self.by_code.get(typed)

    @cached_property
    def _members(self) -> dict[str, tuple[str, ...]]:
        c = self.communes
        members: dict[str, tuple[str, ...]] = {f"region:{self.region.code}": tuple(c["code"])}
        for column, kind in (("departement", "departement"), ("epci", "epci"),
                             ("arrondissement", "arrondissement")):
            for key, group in c.groupby(column):
                members[f"{kind}:{key}"] = tuple(group["code"])
        exploded = c.assign(canton=c["cantons"].str.split(";")).explode("canton")
        for key, group in exploded[exploded["canton"] != ""].groupby("canton"):
            members[f"canton:{key}"] = tuple(group["code"])
        for code in c["code"]:
            members[f"commune:{code}"] = (code,)
        return members

    def communes_of(self, typed: str) -> tuple[str, ...]:
        """INSEE codes of the communes a territory is made of (empty if unknown)."""
        return self._members.get(typed, ())

    @cached_property
    def commune_points(self) -> pd.DataFrame:
        return self.communes.set_index("code")[["lon", "lat"]]

    @cached_property
    def region_geometry(self) -> shapely.Geometry:
        return shapely.union_all(self.layers["departements"].geometry.values)

    @cached_property
    def _geometries(self) -> dict[str, shapely.Geometry]:
        """typed code -> polygon, for every territory of the layers (the first of a code)."""
        out: dict[str, shapely.Geometry] = {}
        layers = {"commune": self.communes, "departement": self.layers["departements"],
                  "arrondissement": self.layers["arrondissements"], "canton": self.layers["cantons"],
                  "epci": self.layers["epci"]}
        for kind, layer in layers.items():
            if layer.empty:  # a folder without cantons (the benchmark's national one): no columns
                continue
            for code, geometry in zip(layer["code"], layer.geometry.values, strict=True):
                out.setdefault(f"{kind}:{code}", geometry)
        return out

    def geometry_of(self, typed: str) -> shapely.Geometry | None:
        kind, _ = split_typed_code(typed)
        if kind == "region":
            return self.region_geometry
        return self._geometries.get(typed)

    def communes_between(self, corners: list[str]) -> tuple[str, ...]:
        """« compris entre A, B, C… »: the communes whose town hall lies inside the outline
        (convex hull) of the corner communes' polygons, the corners included, sorted by
        code. The named towns are the corners of an area, not the area (docs/projets.md)."""
        c = self.communes
        corner_rows = c[c["code"].isin(corners)]
        if len(corner_rows) != len(set(corners)):
            missing = sorted(set(corners) - set(corner_rows["code"]))
            raise ValueError(f"communes inconnues : {', '.join(missing)}")
        outline = shapely.union_all(corner_rows.geometry.values).convex_hull
        halls = shapely.points(c["lon"].to_numpy(), c["lat"].to_numpy())
        inside = shapely.covers(outline, halls) | c["code"].isin(corners).to_numpy()
        return tuple(sorted(c.loc[inside, "code"]))

    def representative_point(self, typed: str) -> tuple[float, float] | None:
        """(lat, lon): the town hall for a commune, else a point inside the territory."""
        kind, code = split_typed_code(typed)
        if kind == "commune":
            if code not in self.commune_points.index:
                return None
            row = self.commune_points.loc[code]
            return float(row["lat"]), float(row["lon"])
        geom = self.geometry_of(typed)
        if geom is None:
            return None
        point = geom.representative_point()
        return round(point.y, 5), round(point.x, 5)


def _read(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():  # a clear "file not found" rather than the GDAL driver's English
        raise FileNotFoundError(errno.ENOENT, "introuvable", str(path))
    gdf = gpd.read_file(path)
    for column in ("code", "departement", "arrondissement", "epci", "cantons", "departements"):
        if column in gdf.columns:
            gdf[column] = gdf[column].fillna("").astype(str)
    return gdf
