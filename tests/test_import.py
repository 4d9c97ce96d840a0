"""`webmap import`: a person's CSV -> canonical file, or a complete error report and nothing written."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from conftest import run_cli

from webmap.projects.importer import import_file
from webmap.projects.schema import Theme, parse_amount, theme_from_text, theme_spellings

HEADER = "titre,porteur,theme,lieux,departement,aller_vers,montant_eur,description\n"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "saisie.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def import_text(tmp_path: Path, text: str, files, gazetteer):
    """`text` as an input file, imported to tmp_path/projets.csv: (that path, the report)."""
    out = tmp_path / "projets.csv"
    return out, import_file(write(tmp_path, text), out, files, gazetteer)


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_loosely_written_places_import(tmp_path, files, gazetteer):
    out, report = import_text(tmp_path, HEADER + (
        "Épicerie mobile,Coallia,Alimentation,rozoy sur serre; La capelle,,oui,27 500 €,Un bus\n"
        "Maraude,Croix-Rouge,l'accès aux droits et la lutte contre l'isolement,Amiens Métropole,,non,,\n"
        "Jardin,Asso,INSERTION,Bailleul,80,1,\"27500,50\",\n"
        "Réseau,Fédération,droits,Hauts-de-France,,0,,\n"
        "Paniers,Asso,alimentation,CC de Cassel;Calais,59,non,,\n"
    ), files, gazetteer)
    assert report.errors == []
    rows = read_rows(out)
    assert [r["territoires"] for r in rows] == [
        "commune:02666;commune:02141", "epci:248000531", "commune:80051", "region:32",
        "epci:200040947;commune:62193"]
    assert [r["theme"] for r in rows] == ["alimentation", "droits", "insertion", "droits", "alimentation"]
    assert [r["montant_eur"] for r in rows] == ["27500", "", "27500.50", "", ""]
    assert [r["aller_vers"] for r in rows] == ["true", "false", "true", "false", "false"]
    assert [r["echelle"] for r in rows] == ["local", "local", "local", "regional", "local"]
    assert [r["precision"] for r in rows] == ["commune", "epci", "commune", "region", "epci"]
    assert rows[3]["departements"] == "" and rows[4]["departements"] == "59;62"


def test_every_bad_row_reported_and_nothing_written(tmp_path, files, gazetteer):
    source = write(tmp_path, HEADER + (
        "Bon projet,Asso,alimentation,Laon,,non,,\n"          # line 2: fine
        ",Asso,alimentation,Laon,,non,,\n"                    # line 3: no title
        "Projet,Asso,culture,Laon,,non,,\n"                   # line 4: unknown theme
        "Projet,Asso,droits,Bailleul,,non,,\n"                # line 5: ambiguous
        "Projet,Asso,droits,Marseille,,non,,\n"               # line 6: outside region
        "Projet,Asso,droits,Nullepart,,non,,\n"               # line 7: unknown place
        "Projet,Asso,droits,Laon,,peut-être,-100,\n"          # line 8: bad flag + negative amount
        "Projet,Asso,droits,Laon,13,non,12 abc,\n"            # line 9: bad department + amount
    ))
    out = tmp_path / "projets.csv"
    out.write_text("ancien contenu\n", encoding="utf-8")
    report = import_file(source, out, files, gazetteer)
    messages = [e.format() for e in report.errors]
    by_line = {}
    for error in report.errors:
        by_line.setdefault(error.line, []).append(error)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert by_line[3][0].column == "titre"
    assert by_line[4][0].column == "theme" and "alimentation" in by_line[4][0].expected
    assert "ambigu" in by_line[5][0].expected and "Bailleul (80)" in by_line[5][0].expected
    assert "hors de la région" in by_line[6][0].expected
    assert "inconnu" in by_line[7][0].expected
    assert {e.column for e in by_line[8]} == {"aller_vers", "montant_eur"}
    assert "négatif" in next(e.expected for e in by_line[8] if e.column == "montant_eur")
    assert {e.column for e in by_line[9]} == {"departement", "montant_eur"}
    assert all("saisie.csv, ligne" in m and "colonne" in m for m in messages)
    assert out.read_text(encoding="utf-8") == "ancien contenu\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_encodings_and_separators(tmp_path, files, gazetteer, encoding, delimiter):
    header = HEADER.replace(",", delimiter)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(
        ["Épicerie à Château-Thierry", "Secours populaire", "Alimentation",
         "Château-Thierry", "02", "non", "1 000,50 €", "Créer « un » lieu"])
    source = write(tmp_path, header + buffer.getvalue(), encoding=encoding)
    out = tmp_path / "projets.csv"
    report = import_file(source, out, files, gazetteer)
    assert report.errors == []
    row = read_rows(out)[0]
    assert row["titre"] == "Épicerie à Château-Thierry"
    assert row["territoires"] == "commune:02168"
    assert row["montant_eur"] == "1000.50"
    assert row["description"] == "Créer « un » lieu"


def test_header_problems(tmp_path, files, gazetteer):
    source = write(tmp_path, "titre,lieu x,porteur\nA,B,C\n")
    report = import_file(source, tmp_path / "o.csv", files, gazetteer)
    columns = {e.column for e in report.errors}
    assert "lieu x" in columns and "theme" in columns and "lieux" in columns
    assert not (tmp_path / "o.csv").exists()


def test_malformed_csv_reports_line(tmp_path, files, gazetteer):
    source = write(tmp_path, HEADER + "A,B,alimentation,Laon,,non,,x\nC,D,droits,Laon\n")
    report = import_file(source, tmp_path / "o.csv", files, gazetteer)
    assert len(report.errors) == 1 and report.errors[0].line == 3
    assert "cellules" in report.errors[0].expected


@pytest.mark.parametrize(("text", "expected"), [
    ("27500", "27500"), ("27 500", "27500"), ("27 500 €", "27500"), ("27500,50", "27500.50"),
    ("27\u202f500\u00a0€", "27500"),
])
def test_amounts(text, expected):
    assert str(parse_amount(text)) == expected


@pytest.mark.parametrize("text", ["-5", "douze", "1,2,3", "12.345"])
def test_bad_amounts(text):
    assert isinstance(parse_amount(text), str)


def test_old_file_intact_when_the_disk_fills_up(tmp_path):
    """A real write failure (a file-size limit, as a full disk would do): the old file stays
    whole, no temporary file is left, the message is in French."""
    import resource
    import signal

    source = Path(__file__).resolve().parents[1] / "data" / "sources" / "dossier_de_presse_2021.csv"
    out = tmp_path / "projets.csv"
    out.write_text("ancien contenu\n", encoding="utf-8")

    errors = tmp_path / "stderr.txt"
    child = os.fork()  # the limit must not touch the test process: a forked child runs the CLI
    if child == 0:
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
            result = run_cli("import", source, "--output", out)
            errors.write_text(result.stderr[:4000], encoding="utf-8")
            os._exit(result.returncode)
        except BaseException:
            os._exit(99)
    code = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
    stderr = errors.read_text(encoding="utf-8")
    errors.unlink()
    assert code == 1 and "rien n'a été écrit" in stderr, stderr
    assert "Traceback" not in stderr
    assert out.read_text(encoding="utf-8") == "ancien contenu\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projets.csv"]


def test_cli_import_errors_and_success(tmp_path):
    bad = write(tmp_path, HEADER + "Projet,Asso,droits,Bailleul,,non,,\n", name="bad.csv")
    out = tmp_path / "out.csv"
    result = run_cli("import", bad, "--output", out)
    assert result.returncode == 1
    assert "bad.csv, ligne 2, colonne « lieux »" in result.stderr and "aucun fichier écrit" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    good = write(tmp_path, HEADER + "Projet,Asso,droits,Bailleul (59),,non,,\n", name="good.csv")
    result = run_cli("import", good, "--output", out)
    assert result.returncode == 0, result.stderr
    assert read_rows(out)[0]["territoires"] == "commune:59043"


def test_header_ending_with_a_bare_carriage_return(tmp_path, files, gazetteer):
    """Found by hypothesis: old Mac line ends (\\r) in the header line."""
    source = tmp_path / "mac.csv"
    source.write_bytes(b"\r\x01")
    report = import_file(source, tmp_path / "o.csv", files, gazetteer)
    assert report.errors and report.errors[0].line == 1
    mac = tmp_path / "mac2.csv"
    mac.write_bytes(HEADER.replace("\n", "\r").encode() + b"Projet,Asso,droits,Laon,,non,,\r")
    assert import_file(mac, tmp_path / "o2.csv", files, gazetteer).errors == []


@pytest.mark.parametrize(("text", "slug"), [
    ("Renforcement de la prévention et de l'insertion sociale et professionnelle", "insertion"),
    ("Accès aux droits et la lutte contre l'isolement", "droits"),
    ("ACCES AUX DROITS ET LA LUTTE CONTRE L’ISOLEMENT", "droits"),
    ("Lutte contre la précarité alimentaire et l'accès aux biens essentiels", "alimentation"),
    ("  la lutte contre la precarite alimentaire et l’acces aux biens essentiels ", "alimentation"),
    ("Le renforcement de la prévention et de l'insertion sociale et professionnelle", "insertion"),
    ("L'alimentation", "alimentation"), ("Les droits", "droits"), ("Prévention et insertion", "insertion"),
])
def test_theme_with_or_without_its_article(text, slug):
    assert theme_from_text(text).slug == slug


@pytest.mark.parametrize("text", [
    "", "la", "l'", "les", "culture", "Lutte contre la précarité", "renforcement",
    "Une lutte contre la précarité alimentaire et l'accès aux biens essentiels",  # not an article we drop
    "alimentation droits",
])
def test_theme_refused(text):
    assert theme_from_text(text) is None


def test_a_spelling_two_themes_share_is_refused():
    """Dropping the article could make two themes' names meet: such a spelling names neither."""
    sport = Theme("sport", "Le sport pour tous", "Sport", "#000000", 1)
    culture = Theme("culture", "La culture", "Sport pour tous", "#000000", 1)
    spellings = theme_spellings((sport, culture))
    assert spellings["sport pour tous"] is None
    assert spellings["sport"] is sport and spellings["culture"] is culture
    # The real themes share none.
    assert None not in theme_spellings().values()


def test_section_titles_without_article_import(tmp_path, files, gazetteer):
    out, report = import_text(tmp_path, HEADER + (
        "A,Asso,Renforcement de la prévention et de l'insertion sociale et professionnelle,Laon,,non,,\n"
        "B,Asso,Accès aux droits et la lutte contre l'isolement,Laon,,non,,\n"
        "C,Asso,Lutte contre la précarité alimentaire et l'accès aux biens essentiels,Laon,,non,,\n"
    ), files, gazetteer)
    assert report.errors == []
    assert [r["theme"] for r in read_rows(out)] == ["insertion", "droits", "alimentation"]


def test_compris_entre_is_the_area_inside_the_named_corners(tmp_path, files, gazetteer, territories):
    """« compris entre A, B, C » : the communes whose town hall is inside the outline of the
    corner communes, computed from the reference layer, not the corners alone."""
    out, report = import_text(tmp_path, HEADER + (
        "Bus,,alimentation,\"compris entre Laon, Guise, La Capelle, Hirson, Rozoy sur Serre\",02,oui,,\n"
        "Triangle,,alimentation,\"Compris  entre Laon, Guise, Hirson\",02,oui,,\n"
    ), files, gazetteer)
    assert report.errors == []
    bus, triangle = read_rows(out)
    codes = bus["territoires"].split(";")
    corners = ["02408", "02361", "02141", "02381", "02666"]
    assert codes == [f"commune:{c}" for c in territories.communes_between(corners)]
    assert {f"commune:{c}" for c in corners} <= set(codes) and len(codes) > 100
    names = {territories.get(c).nom for c in codes}
    assert {"Marle", "Vervins", "Montcornet"} <= names
    assert "Saint-Quentin" not in names and "Soissons" not in names
    assert bus["lieu"] == "" and bus["precision"] == "commune"
    # A smaller outline holds fewer communes, all of them inside the larger one.
    assert set(triangle["territoires"].split(";")) < set(codes)


def test_compris_entre_errors(tmp_path, files, gazetteer):
    out, report = import_text(tmp_path, HEADER + (
        "Deux coins,,alimentation,\"compris entre Laon, Guise\",02,non,,\n"
        "Coin inconnu,,alimentation,\"compris entre Laon, Guise, Nullepart\",02,non,,\n"
        "Pas une commune,,alimentation,\"compris entre Laon, Guise, Aisne\",02,non,,\n"
    ), files, gazetteer)
    assert not out.exists()
    assert [(e.line, e.value) for e in report.errors] == [
        (2, "compris entre Laon, Guise"), (3, "Nullepart"), (4, "Aisne")]
    assert "au moins trois communes" in report.errors[0].expected
    assert "une commune" in report.errors[2].expected


def test_lieux_cites_kept_as_given_and_departements_follow_the_row(tmp_path, files, gazetteer):
    """An empty `lieux_cites` cell means the text names no place: it stays empty (a list
    without the column cites its places as typed). An EPCI straddling two departments counts
    for the row's department only."""
    source = write(tmp_path, (
        "titre,theme,lieux,departement,lieux_cites\n"
        "Réseau,droits,Hauts-de-France,,\n"
        "Paniers,alimentation,CC de l'Est de la Somme,80,Est Somme\n"
        "Paniers bis,alimentation,CC de l'Est de la Somme,,\n"
    ))
    out = tmp_path / "projets.csv"
    assert import_file(source, out, files, gazetteer).errors == []
    rows = read_rows(out)
    assert [r["lieux_cites"] for r in rows] == ["", "Est Somme", ""]
    assert [r["departements"] for r in rows] == ["", "80", "02;80"]
    without = write(tmp_path, "titre,theme,lieux\nRéseau,droits,Hauts-de-France\n", name="sans.csv")
    assert import_file(without, out, files, gazetteer).errors == []
    assert read_rows(out)[0]["lieux_cites"] == "Hauts-de-France"


def test_a_place_read_by_a_former_name_is_said_in_the_note(tmp_path, files, gazetteer):
    """« Marconne » (a commune déléguée) is imported as today's Hesdin-la-Forêt, and the row's
    note says how it was read; a note that already explains the name is not repeated."""
    source = write(tmp_path, (
        "titre,theme,lieux,departement,note\n"
        "Épicerie,alimentation,Marconne,62,\n"
        "Épicerie bis,alimentation,Marconne,62,« Marconne » : commune déléguée de Hesdin-la-Forêt\n"
    ))
    out = tmp_path / "projets.csv"
    assert import_file(source, out, files, gazetteer).errors == []
    first, second = read_rows(out)
    assert first["territoires"] == second["territoires"] == "commune:62447"
    assert first["note"] == "« Marconne » : ancienne commune (commune déléguée), aujourd'hui Hesdin-la-Forêt"
    assert second["note"] == "« Marconne » : commune déléguée de Hesdin-la-Forêt"
