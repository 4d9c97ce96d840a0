"""The region is a setting of the data folder (region.json): its code, its name and its
departments decide what `webmap check` accepts, what /schema.json publishes and which
departments the pages offer. Without the file, the Hauts-de-France (the shipped data)."""

from __future__ import annotations

import json
import re

from conftest import data_dir_with, run_cli

from webmap.places.gazetteer import Gazetteer
from webmap.reference.files import HAUTS_DE_FRANCE, REGION_FILE, ReferenceFiles, read_region
from webmap.web import create_app
from webmap.web.config import Settings

FIVE = ["02", "59", "60", "62", "80"]


def app_on(folder):
    """The app on a data folder, its reference layers and region read from it."""
    return create_app(Settings(data_dir=folder, tiles_url="off")).test_client()


def with_region(root, region: dict | str):
    folder = data_dir_with(root)
    text = region if isinstance(region, str) else json.dumps(region, ensure_ascii=False)
    (folder / REGION_FILE).write_text(text, encoding="utf-8")
    return folder


def test_without_region_file_the_folder_is_the_hauts_de_france(tmp_path, files):
    assert read_region(tmp_path / REGION_FILE) == HAUTS_DE_FRANCE
    assert files.region == HAUTS_DE_FRANCE and not (files.root / REGION_FILE).exists()


def test_the_folders_region_decides_what_check_accepts_and_schema_json_says(tmp_path):
    """The same layers under another region code and name: the shipped regional rows
    (region:32) are refused, pointing at the folder's own code; the schema and the
    gazetteer's messages name that region."""
    folder = with_region(tmp_path / "donnees", {"code": "99", "nom": "Région d'essai", "departements": FIVE})
    result = run_cli("--data-dir", folder, "check", folder / "projets.csv")
    assert result.returncode == 1
    refused = [line for line in result.stderr.splitlines() if "colonne « territoires »" in line]
    assert refused and all("« region:32 »" in line and "region:99" in line for line in refused), refused
    assert len(refused) == sum(1 for line in (folder / "projets.csv").read_text(encoding="utf-8").splitlines()
                               if ",region:32," in line)
    (folder / "projets.csv").write_text((folder / "projets.csv").read_text(encoding="utf-8")
                                        .replace(",region:32,", ",region:99,"), encoding="utf-8")
    assert run_cli("--data-dir", folder, "check", folder / "projets.csv").returncode == 0

    client = app_on(folder)
    schema = client.get("/schema.json").get_json()
    assert schema["title"].endswith("en Région d'essai")
    territoires = next(f for f in schema["fields"] if f["name"] == "territoires")
    assert re.fullmatch(territoires["constraints"]["pattern"], "region:99")
    assert not re.fullmatch(territoires["constraints"]["pattern"], "region:32")
    gazetteer = Gazetteer.load(ReferenceFiles(folder))
    assert "hors de la région Région d'essai" in gazetteer.resolve("Paris").message


def test_a_region_file_that_cannot_be_used_is_refused_with_its_place(tmp_path):
    """A broken region.json, or one whose departments are not those of the folder's layers:
    a French message naming the file (line and column for JSON), exit code 1, no trace."""
    broken = with_region(tmp_path / "a", '{"code": "32", "nom": "Hauts-de-France",\n "departements": [02]}')
    result = run_cli("--data-dir", broken, "check", broken / "projets.csv")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{broken / REGION_FILE}, ligne 2, colonne 20 : JSON invalide" in result.stderr

    fewer = with_region(tmp_path / "b", {"code": "32", "nom": "Hauts-de-France", "departements": ["59", "62"]})
    result = run_cli("--data-dir", fewer, "check", fewer / "projets.csv")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "compte les départements 59, 62" in result.stderr and "02, 59, 60, 62, 80" in result.stderr

    wrong = with_region(tmp_path / "c", {"code": "32", "nom": "", "departements": FIVE})
    result = run_cli("--data-dir", wrong, "check", wrong / "projets.csv")
    assert result.returncode == 1 and f"{wrong / REGION_FILE} : valeur" in result.stderr


def test_the_pages_offer_the_regions_departments(tmp_path):
    """The department selector and the accepted values come from the folder's region."""
    folder = with_region(tmp_path / "donnees", {"code": "32", "nom": "Hauts-de-France", "departements": FIVE})
    client = app_on(folder)
    page = client.get("/").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="filtre-departement".*?</select>', page, re.S).group(0)
    offered = re.findall(r'<option value="(\d\d)"', select)
    assert offered == FIVE
    bad = client.get("/embed?departement=75")
    assert bad.status_code == 400 and "02, 59, 60, 62, 80" in bad.get_data(as_text=True)


def test_a_folder_without_cantons_still_gives_every_other_territorys_geometry():
    """The national folder has no cantons (an empty layer, without columns): the other
    territories' outlines are still found."""
    import geopandas as gpd
    from toy import toy_territories

    territories = toy_territories()
    territories.layers["cantons"] = gpd.GeoDataFrame()
    assert territories.geometry_of("departement:02") is not None
    assert territories.geometry_of("canton:0201") is None
