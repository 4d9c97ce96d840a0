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


def test_sources_note_credits_licence(files):
    text = files.sources.read_text(encoding="utf-8")
    assert "Licence Ouverte" in text and "IGN" in text and "INSEE" in text


@pytest.mark.slow
def test_build_data_is_reproducible(tmp_path):
    """`webmap build-data` regenerates the committed files byte for byte."""
    import shutil
    import subprocess

    from webmap.reference.build import default_inputs, write_reference

    if not (REPO / "node_modules" / "@etalab" / "decoupage-administratif").is_dir():
        # A fresh clone: install the pinned npm input (package-lock.json) as scripts/test.sh does.
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
    assert out.sources.read_bytes() == committed.sources.read_bytes()
