"""The shipped transcription of the press kit: data/projets.csv."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from webmap.places.gazetteer import normalize
from webmap.projects.check import check_file
from webmap.projects.importer import import_file
from webmap.projects.schema import CANONICAL_COLUMNS

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "data" / "sources" / "dossier_de_presse_2021.csv"
PRESS_KIT = REPO.parent / "shared" / "seeds" / "000_bf9b9a730064d877.txt"


@pytest.fixture(scope="module")
def rows(files):
    with open(files.projects, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == CANONICAL_COLUMNS
        return list(reader)


def test_54_projects_in_press_kit_order_with_theme_counts(rows):
    assert len(rows) == 54
    assert [r["id"] for r in rows] == [f"hdf-2021-{n:02d}" for n in range(1, 55)]
    assert Counter(r["theme"] for r in rows) == {"alimentation": 28, "droits": 15, "insertion": 11}
    assert [r["theme"] for r in rows] == ["alimentation"] * 28 + ["droits"] * 15 + ["insertion"] * 11


def test_regional_projects_and_zones_blanches(rows):
    assert sum(r["echelle"] == "regional" for r in rows) == 15
    assert {r["id"] for r in rows if r["zone_blanche"] == "true"} == {"hdf-2021-15", "hdf-2021-38"}


def test_no_amount_is_invented(rows):
    assert all(r["montant_eur"] == "" for r in rows)


def test_every_code_is_known_and_check_passes(files, territories, rows):
    report = check_file(files.projects, files, territories, expect_press_kit_counts=True)
    assert report.errors == []
    for row in rows:
        for typed in row["territoires"].split(";"):
            assert territories.get(typed) is not None, (row["id"], typed)


def test_canonical_file_is_the_import_of_the_transcription(tmp_path, files, gazetteer):
    """Territories come from the gazetteer, not typed by hand: re-importing gives the same file."""
    out = tmp_path / "projets.csv"
    report = import_file(SOURCE, out, files, gazetteer)
    assert report.errors == []
    assert out.read_bytes() == files.projects.read_bytes()


def test_titles_and_descriptions_come_from_the_press_kit(rows):
    if not PRESS_KIT.exists():
        pytest.skip("press kit not beside the checkout")
    text = " ".join(PRESS_KIT.read_text(encoding="utf-8").split())
    for row in rows:
        assert " ".join(row["titre"].split()) in text, row["id"]
        first_paragraph = row["description"].split("\n")[0]
        assert " ".join(first_paragraph.split())[:60] in text, row["id"]


def test_known_places(rows):
    by_id = {r["id"]: r for r in rows}
    assert by_id["hdf-2021-11"]["aller_vers"] == "true" and by_id["hdf-2021-11"]["lieu"] == ""
    assert by_id["hdf-2021-20"]["territoires"].endswith("epci:200040947")  # CC de Cassel
    assert by_id["hdf-2021-38"]["territoires"] == "canton:6015"
    assert by_id["hdf-2021-14"]["territoires"] == "arrondissement:623;arrondissement:624"


def test_bus_accs_aisne_serves_the_area_between_its_five_towns(rows, territories):
    """« territoires ruraux compris entre Laon – Guise-La Capelle-Hirson-Rozoy sur Serre » :
    the five towns are the corners; the communes inside their outline are served."""
    bus = next(r for r in rows if r["id"] == "hdf-2021-11")
    corners = ["02408", "02361", "02141", "02381", "02666"]  # Laon, Guise, La Capelle, Hirson, Rozoy
    served = bus["territoires"].split(";")
    assert served == [f"commune:{c}" for c in territories.communes_between(corners)]
    names = {territories.get(code).nom for code in served}
    assert {"Marle", "Vervins", "Montcornet", "Laon", "Hirson"} <= names
    assert bus["lieu"] == "" and "compris entre" in bus["note"]


def test_former_territories_are_marked_approximate_with_what_stands_in(rows, territories):
    """« Communauté de communes de Cassel » and the « ex-canton de Nanteuil-le-Haudouin »: no
    offline source gives their former composition, so today's successor stands in, and the
    row says so (no « kept as written » while the code is the successor)."""
    by_id = {r["id"]: r for r in rows}
    for pid, typed in (("hdf-2021-20", "epci:200040947"), ("hdf-2021-38", "canton:6015")):
        row = by_id[pid]
        assert typed in row["territoires"].split(";") and row["lieu"] == ""
        assert "composition" in row["note"] and "aucune source hors ligne" in row["note"]
        assert "approximatif" in row["note"]
        assert f"({len(territories.communes_of(typed))} communes)" in row["note"]
    for row in rows:
        assert "gardé tel qu'écrit" not in row["note"] and "gardée telle qu'écrite" not in row["note"], row["id"]


def _communes_named_by(porteur: str, territories) -> set[str]:
    """Communes of the region the carrier's name names as such: not a part of a department's
    name (« Pas-de-Calais ») nor of an area's (« Région de Valenciennes »)."""
    text = f" {normalize(porteur)} "
    for code in ("02", "59", "60", "62", "80"):
        text = text.replace(f" {normalize(territories.get(f'departement:{code}').nom)} ", " ")
    text = re.sub(r" region de [a-z]+ ", " ", text)
    return {code for code, nom in zip(territories.communes["code"], territories.communes["nom"], strict=True)
            if f" {normalize(nom)} " in text}


def test_lieu_from_the_carriers_name_one_rule_for_all(rows, territories):
    """A commune the carrier's name names (« Emmaüs Beauvais », « Centre social rural de
    Guiscard ») is the marker's `lieu` when it is in the served territory; a department, an
    area or an EPCI in the name (« de l'Aisne », « Est Somme », « Région de Valenciennes »,
    « Cambresis ») gives no `lieu`."""
    from_carrier = set()
    for row in rows:
        if row["echelle"] == "regional":
            continue
        served = {c for t in row["territoires"].split(";") for c in territories.communes_of(t)}
        named = _communes_named_by(row["porteur"], territories) & served
        if len(named) == 1:
            assert row["lieu"] == named.pop(), row["id"]
            from_carrier.add(row["id"][-2:])
    assert from_carrier == {"18", "27", "36", "37", "41", "51"}
    for pid in ("12", "16", "43", "53", "54"):
        assert next(r for r in rows if r["id"] == f"hdf-2021-{pid}")["lieu"] == ""


def test_communes_named_as_where_a_project_acts_are_served(rows, territories):
    """Entourage: « sur la Métropole Européenne de Lille (plus spécifiquement à Roubaix et
    Tourcoing, puis à Villeneuve d'Ascq, et la couronne sud de la métropole de Loos à
    Faches-Thumesnil) » : the MEL and each named commune are in `territoires`."""
    entourage = next(r for r in rows if r["id"] == "hdf-2021-42")
    served = entourage["territoires"].split(";")
    assert served[0] == "epci:200093201"
    names = {territories.get(t).nom for t in served[1:]}
    assert names == {"Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "Loos", "Faches-Thumesnil"}
    assert all(territories.get(t).kind == "commune" for t in served[1:])
    assert entourage["precision"] == "epci" and entourage["lieu"] == ""


def _press_kit_text_of_each_project(rows) -> dict[str, str]:
    """Each project's own text in the press kit: from its title to the next project's title,
    without the section headings (« Dans le Nord : ») that sit between projects."""
    text = " ".join(PRESS_KIT.read_text(encoding="utf-8").split())
    starts, position = [], 0
    for row in rows:
        start = text.index(" ".join(row["titre"].split()), position)
        starts.append(start)
        position = start + 1
    ends = [*starts[1:], len(text)]
    return {row["id"]: re.sub(r"Dans (?:le |la |l')[\w-]+ :", " ", text[start:end])
            for row, start, end in zip(rows, starts, ends, strict=True)}


def test_lieux_cites_are_word_for_word_from_the_projects_text(rows):
    if not PRESS_KIT.exists():
        pytest.skip("press kit not beside the checkout")
    texts = _press_kit_text_of_each_project(rows)
    for row in rows:
        for place in filter(None, row["lieux_cites"].split(";")):
            assert place in texts[row["id"]], (row["id"], place)
    # Texts that name no place cite none (« en région », « pour la région », a rubrique).
    for pid in ("03", "04", "07", "26", "29", "31", "34", "45"):
        assert next(r for r in rows if r["id"] == f"hdf-2021-{pid}")["lieux_cites"] == ""


def test_echelle_follows_the_rubrique_then_the_served_territory(rows):
    """regional: the rubrique « Au niveau régional » ; else departemental when every served
    territory is a whole department, local when it is smaller."""
    for row in rows:
        kinds = {t.split(":")[0] for t in row["territoires"].split(";")}
        if row["source"].endswith("Au niveau régional"):
            expected = "regional"
        else:
            expected = "departemental" if kinds == {"departement"} else "local"
        assert row["echelle"] == expected, row["id"]
    by_id = {r["id"][-2:]: r["echelle"] for r in rows}
    assert [by_id[n] for n in ("17", "26", "34", "50", "53")] == ["departemental"] * 5
    assert [by_id[n] for n in ("43", "54")] == ["local"] * 2


def test_vague_areas_named_after_an_arrondissement_are_that_arrondissement(rows):
    """« Région de Valenciennes » and « Cambrésis » (carrier names): the arrondissements of
    Valenciennes and Cambrai, not the whole Nord."""
    by_id = {r["id"]: r for r in rows}
    assert by_id["hdf-2021-43"]["territoires"] == "arrondissement:596"
    assert by_id["hdf-2021-54"]["territoires"] == "arrondissement:592"
    for pid in ("hdf-2021-43", "hdf-2021-54"):
        assert by_id[pid]["precision"] == "arrondissement" and by_id[pid]["lieu"] == ""
        assert "approximatif" in by_id[pid]["note"]


def test_departements_are_those_the_press_kit_lists_the_project_under(rows, territories):
    """A territory straddling the kit's department and another (the CC de l'Est de la Somme
    has a commune in the Aisne) counts for the kit's department only; a territory in another
    department adds it (Calais for La Petite Pierre, listed in the Nord)."""
    by_id = {r["id"]: r for r in rows}
    assert territories.get("epci:200070985").departements == ("02", "80")
    assert by_id["hdf-2021-16"]["departements"] == "80"
    assert by_id["hdf-2021-20"]["departements"] == "59;62"
    section = {"Dans le Nord": "59", "Dans l'Oise": "60", "Dans l'Aisne": "02", "Dans la Somme": "80",
               "Dans le Pas-de-Calais": "62", "Pour le renforcement de la prévention": "59"}
    for row in rows:
        if row["echelle"] != "regional":
            assert section[row["source"].split(", ")[-1]] in row["departements"].split(";"), row["id"]
