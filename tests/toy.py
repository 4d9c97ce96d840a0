"""A toy region small enough to check every figure by hand.

Four square communes in a row, 10 km wide, along a parallel (Lambert-93 built, WGS84 stored):

    A (pop 1000) | B (pop 3000) | C (pop 500) | D (pop 500)
    EPCI E1 = A, B          EPCI E2 = C, D
    department 02 = A, B, C   department 59 = D
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from webmap.projects.store import Project
from webmap.reference.territories import Territories

SIZE = 10_000.0
X0, Y0 = 700_000.0, 6_950_000.0


def _square(i: int) -> shapely.Polygon:
    return shapely.box(X0 + i * SIZE, Y0, X0 + (i + 1) * SIZE, Y0 + SIZE)


def toy_territories() -> Territories:
    codes = ["02001", "02002", "02003", "59001"]
    metric = gpd.GeoDataFrame(
        {
            "code": codes,
            "nom": ["A", "B", "C", "D"],
            "departement": ["02", "02", "02", "59"],
            "arrondissement": ["021", "021", "021", "591"],
            "cantons": ["0201", "0201", "0202", "5901"],
            "epci": ["111111111", "111111111", "222222222", "222222222"],
            "epci_nom": ["E1", "E1", "E2", "E2"],
            "population": [1000, 3000, 500, 500],
        },
        geometry=[_square(i) for i in range(4)],
        crs="EPSG:2154",
    )
    communes = metric.to_crs("EPSG:4326")
    centers = metric.geometry.centroid.to_crs("EPSG:4326")
    communes["lon"] = centers.x
    communes["lat"] = centers.y
    communes["point_source"] = "mairie"

    def dissolve(key: str, names: dict[str, str]):
        out = communes.dissolve(by=key, aggfunc={"population": "sum"}).reset_index()
        out = out.rename(columns={key: "code"})
        out["nom"] = out["code"].map(names)
        out["communes"] = out["code"].map(communes.groupby(key).size())
        return out

    deps = dissolve("departement", {"02": "Aisne", "59": "Nord"})
    epci = dissolve("epci", {"111111111": "E1", "222222222": "E2"})
    epci["nom_court"] = epci["nom"]
    epci["departements"] = ["02", "02;59"]
    arr = dissolve("arrondissement", {"021": "Arr A", "591": "Arr D"})
    arr["departement"] = ["02", "59"]
    cantons = communes.assign(canton=communes["cantons"]).dissolve(
        by="canton", aggfunc={"population": "sum"}).reset_index().rename(columns={"canton": "code"})
    cantons["nom"] = cantons["code"]
    cantons["departement"] = cantons["code"].str[:2]
    return Territories(communes=communes, layers={
        "departements": deps, "epci": epci, "arrondissements": arr, "cantons": cantons})


def project(pid: str, theme: str, territoires: tuple[str, ...], lieu: str = "",
            precision: str | None = None, aller_vers: bool = False, montant=None) -> Project:
    kinds = [t.split(":")[0] for t in territoires]
    order = ("commune", "canton", "epci", "arrondissement", "departement", "region")
    return Project(
        id=pid, titre=f"Projet {pid}", porteur="Asso", theme=theme, echelle="local",
        departements=(), territoires=territoires, lieu=lieu,
        precision=precision or ("commune" if lieu else max(kinds, key=order.index)),
        aller_vers=aller_vers, zone_blanche=False, montant_eur=montant, description="",
        lieux_cites="", source="", note="",
    )
