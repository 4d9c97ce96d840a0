"""/schema.json: the Table Schema of projets.csv, made from schema.COLUMNS (the rules
`webmap check` applies), served beside the downloads, exported, and checked with
frictionless (a test-only dependency) against the files the project writes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import DATA, REPO, canonical_rows, make_app, run_cli, write_projects
from frictionless import Resource, Schema

from webmap.projects.check import check_file
from webmap.projects.importer import import_file
from webmap.projects.schema import (
    CANONICAL_BOOLEANS,
    CANONICAL_COLUMNS,
    COLUMN_BY_NAME,
    COLUMNS,
    ECHELLES,
    PRECISIONS,
    THEMES,
    TYPED_CODE_REGEX,
    Column,
    table_schema,
)

SCHEMA_LINK = "Schéma des données (Table Schema, JSON)"


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


@pytest.fixture(scope="module")
def served(client) -> dict:
    return client.get("/schema.json").get_json()


def frictionless_errors(data: bytes, descriptor: dict) -> list[tuple[str | None, str]]:
    """(field, error type) of each error frictionless finds in the CSV `data`."""
    report = Resource(data=data, format="csv", schema=Schema.from_descriptor(descriptor)).validate()
    return [(field, kind) for field, kind in report.flatten(["fieldName", "type"])]


def fields(descriptor: dict) -> dict[str, dict]:
    return {f["name"]: f for f in descriptor["fields"]}


# One source: the schema follows the Python vocabulary.

def test_schema_follows_the_columns_and_the_vocabulary(served):
    assert served == table_schema()
    assert Schema.validate_descriptor(served).valid
    assert [f["name"] for f in served["fields"]] == list(CANONICAL_COLUMNS)
    by_name = fields(served)
    assert by_name["theme"]["constraints"]["enum"] == [t.slug for t in THEMES]
    assert by_name["echelle"]["constraints"]["enum"] == list(ECHELLES)
    assert by_name["precision"]["constraints"]["enum"] == list(PRECISIONS)
    for flag in ("aller_vers", "zone_blanche"):
        assert by_name[flag]["type"] == "boolean"
        assert {w: True for w in by_name[flag]["trueValues"]} | {w: False for w in by_name[flag]["falseValues"]} \
            == CANONICAL_BOOLEANS
    assert served["primaryKey"] == "id" and served["missingValues"] == [""]
    assert {n for n, f in by_name.items() if f["constraints"]["required"]} == {
        "id", "titre", "theme", "echelle", "territoires", "precision", "aller_vers", "zone_blanche"}
    for field in served["fields"]:  # French words for people
        assert field["title"] and field["description"], field["name"]


def test_a_new_column_or_theme_changes_the_schema():
    extra = Column("commentaire", "Commentaire", "Un commentaire libre.", "")
    assert fields(table_schema(COLUMNS + (extra,)))["commentaire"]["title"] == "Commentaire"
    theme = COLUMN_BY_NAME["theme"]
    more = tuple(replace(c, enum=(*c.enum, "culture")) if c is theme else c for c in COLUMNS)
    assert fields(table_schema(more))["theme"]["constraints"]["enum"][-1] == "culture"


def test_every_territory_of_the_reference_matches_the_typed_code_pattern(territories):
    codes = list(territories.by_code)
    assert len(codes) > 3800
    assert all(re.fullmatch(TYPED_CODE_REGEX, code) for code in codes)
    for wrong in ("commune:13055", "commune:2A004", "epci:12345", "region:11", "ville:02691", "commune:02691 "):
        assert not re.fullmatch(TYPED_CODE_REGEX, wrong), wrong


def test_the_app_does_not_depend_on_frictionless():
    """A test-only dependency: `webmap check` applies COLUMNS with its own code."""
    for path in (REPO / "webmap").rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+frictionless\b", path.read_text(encoding="utf-8"), re.M), path


# Served beside the downloads, linked from them, exported.

def test_schema_is_served_like_the_downloads_and_linked_from_them(client):
    response = client.get("/schema.json")
    download = client.get("/projets.csv")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == download.headers["Cache-Control"] == "no-cache"
    assert client.get("/schema.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    # The same cross-origin treatment as the downloads: none (only /donnees/ is shared).
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in download.headers
    for path in ("/projets.csv", "/projets.geojson"):
        assert client.get(path).headers["Link"] == '</schema.json>; rel="describedby"; type="application/json"'


def test_schema_link_wherever_the_csv_is_offered(client):
    from webmap.web.export import data_files

    for page in ("/", "/projets"):
        html = client.get(page).get_data(as_text=True)
        assert 'href="/projets.csv"' in html
        assert f'<a href="/schema.json">{SCHEMA_LINK}</a>' in html, page
    assert "/schema.json" in data_files([], [])


# Validated with frictionless: what the project writes is valid.

def test_shipped_file_and_download_are_valid(client, served):
    assert frictionless_errors((DATA / "projets.csv").read_bytes(), served) == []
    assert frictionless_errors(client.get("/projets.csv").get_data(), served) == []


def test_import_output_is_valid(tmp_path, files, gazetteer, served):
    source = tmp_path / "saisie.csv"
    source.write_text(
        "titre,porteur,theme,lieux,departement,aller_vers,montant_eur,description,zone_blanche\n"
        "Épicerie mobile,Coallia,Alimentation,rozoy sur serre; La capelle,,oui,27 500 €,Un bus,non\n"
        "Jardin,Asso,INSERTION,Bailleul,80,1,\"27500,50\",\"Deux\nparagraphes\",oui\n"
        "Réseau,Fédération,droits,Hauts-de-France,,0,,,\n", encoding="utf-8")
    out = tmp_path / "projets.csv"
    assert import_file(source, out, files, gazetteer).errors == []
    assert frictionless_errors(out.read_bytes(), served) == []
    assert check_file(out, files).errors == []


# Broken files: refused by frictionless and by `webmap check`, each error located.

BROKEN = {
    "thème inconnu": (0, "theme", "culture", "alimentation, droits ou insertion"),
    "code typé mal formé": (1, "territoires", "commune:02691;epci:1234", "« epci:1234 » ne l'est pas"),
    "code hors région": (1, "territoires", "commune:13055", "des codes typés de territoires de la région"),
    "oui/non au lieu de true/false": (2, "aller_vers", "oui", "true ou false"),
    "identifiant en double": (2, "id", "hdf-2021-01", "déjà utilisé ligne 2"),
    "identifiant mal formé": (1, "id", "Projet 2", "minuscules, chiffres et tirets"),
    "titre manquant": (1, "titre", "", "un titre non vide"),
    "titre blanc": (1, "titre", "  ", "un titre non vide"),
    "booléen manquant": (0, "zone_blanche", "", "true ou false"),
    "précision manquante": (2, "precision", "", "commune, canton, epci, arrondissement, departement ou region"),
    "département hors région": (1, "departements", "02;13", "« 13 » ne l'est pas"),
    "montant négatif": (0, "montant_eur", "-5", "nombre d'euros positif"),
    "montant illisible": (0, "montant_eur", "27 500", "nombre d'euros positif"),
    "lieu mal formé": (0, "lieu", "2691", "code INSEE d'une commune de la région"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_files_are_refused_by_frictionless_and_by_check(case, tmp_path, files, territories, served):
    index, column, value, expected = BROKEN[case]
    rows = [row for row in canonical_rows() if not any("\n" in cell for cell in row.values())][:3]
    rows[index][column] = value
    path = write_projects(tmp_path / "projets.csv", rows)
    found = frictionless_errors(path.read_bytes(), served)
    # (a duplicate id is also reported on the row, as a primary key: no field)
    assert found and {field for field, _ in found} - {None} == {column}, found
    report = check_file(path, files, territories)
    assert [(e.line, e.column) for e in report.errors] == [(index + 2, column)]
    message = report.errors[0].format()
    number = CANONICAL_COLUMNS.index(column) + 1
    shown = f"valeur « {value} »" if value else "valeur vide"
    assert message.startswith(f"{path}, ligne {index + 2}, colonne « {column} » (n° {number}) : {shown} — ")
    assert expected in message
    result = run_cli("check", path)
    assert result.returncode == 1 and message in result.stderr
