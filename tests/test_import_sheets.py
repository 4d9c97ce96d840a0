"""`webmap import` of spreadsheets (.xlsx, .ods): read as rows of text, checked as a CSV is.

The workbooks are written here: .xlsx with XlsxWriter, .ods by hand (a zip of XML, the
smallest file LibreOffice and python-calamine read), so each test shows its cells.
"""

from __future__ import annotations

import datetime
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
import xlsxwriter
from conftest import run_cli
from test_import import HEADER, read_rows, write

from webmap.projects.importer import import_file

COLUMNS = HEADER.strip().split(",")  # titre, porteur, theme, lieux, departement, aller_vers, montant_eur, description


def xlsx(path: Path, sheets: dict[str, list[list]], start: tuple[int, int] = (0, 0)) -> Path:
    """A workbook with these sheets, each cell written with its own type (str, number, bool,
    date); `None` leaves a cell empty."""
    workbook = xlsxwriter.Workbook(str(path))
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                at = (start[0] + r, start[1] + c)
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(*at, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(*at, value)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(*at, value, dates)
                else:
                    sheet.write_number(*at, value)
    workbook.close()
    return path


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def _ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, str):
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'
    if isinstance(value, bool):
        word = "true" if value else "false"
        return f'<table:table-cell office:value-type="boolean" office:boolean-value="{word}"/>'
    if isinstance(value, datetime.date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"/>'
    return f'<table:table-cell office:value-type="float" office:value="{value!r}"/>'


def ods(path: Path, sheets: dict[str, list[list]], tail: str = "") -> Path:
    """A minimal OpenDocument spreadsheet; `tail`: raw rows appended to the last sheet."""
    tables = []
    for name, rows in sheets.items():
        body = "".join("<table:table-row>" + "".join(map(_ods_cell, row)) + "</table:table-row>" for row in rows)
        tables.append(f"<table:table table:name={quoteattr(name)}>{body}{tail}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


WRITERS = {"xlsx": xlsx, "ods": ods}
# Typed cells and the same list typed in a CSV: both imports must give the same file.
TYPED = [
    ["=1+1 Épicerie", "Coallia", "Alimentation", "rozoy sur serre; La capelle", None, True, 27500, "Un bus"],
    ["Jardin", "Asso", "Renforcement de la prévention et de l'insertion sociale et professionnelle",
     "Bailleul", 80, False, 27500.5, None],
    ["Maraude", "Croix-Rouge", "droits", "Bailleul", "59", "oui", "1 000 €", "Deux\nparagraphes"],
]
TYPED_AS_CSV = HEADER + (
    '=1+1 Épicerie,Coallia,Alimentation,rozoy sur serre; La capelle,,true,27500,Un bus\n'
    "Jardin,Asso,Renforcement de la prévention et de l'insertion sociale et professionnelle,"
    "Bailleul,80,false,\"27500,50\",\n"
    'Maraude,Croix-Rouge,droits,Bailleul,59,oui,1 000 €,"Deux\nparagraphes"\n'
)


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_spreadsheet_imports_as_its_csv_does(tmp_path, files, gazetteer, kind):
    notes = [["Ces notes ne sont pas des projets"], [12]]
    source = WRITERS[kind](tmp_path / f"saisie.{kind}", {"Notes": notes, "projets": [COLUMNS, *TYPED, [None] * 8]})
    out = tmp_path / "projets.csv"
    report = import_file(source, out, files, gazetteer)
    assert report.errors == []
    assert "depuis la feuille « projets »" in report.summary
    expected = tmp_path / "attendu.csv"
    assert import_file(write(tmp_path, TYPED_AS_CSV), expected, files, gazetteer).errors == []
    assert out.read_bytes() == expected.read_bytes()
    rows = read_rows(out)
    assert rows[0]["titre"] == "=1+1 Épicerie"  # text as typed: data, never a formula
    assert [r["montant_eur"] for r in rows] == ["27500", "27500.50", "1000"]
    assert [r["aller_vers"] for r in rows] == ["true", "false", "true"]
    assert [r["territoires"] for r in rows] == ["commune:02666;commune:02141", "commune:80051", "commune:59043"]


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_without_a_sheet_named_projets_the_first_is_read(tmp_path, files, gazetteer, kind):
    source = WRITERS[kind](tmp_path / f"liste.{kind}", {
        "Feuil1": [COLUMNS, ["Paniers", "Asso", "alimentation", "Laon", None, None, None, None]],
        "Feuil2": [["rien"]],
    })
    report = import_file(source, tmp_path / "o.csv", files, gazetteer)
    assert report.errors == [] and "feuille « Feuil1 »" in report.summary


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_cells_refused_and_rows_checked_all_located_nothing_written(tmp_path, files, gazetteer, kind):
    rows = [
        COLUMNS + ["lieu"],
        ["Bon", "Asso", "droits", "Laon", None, None, None, None, None],                      # 2: fine
        ["Date", "Asso", "droits", "Laon", None, None, datetime.date(2021, 3, 4), None, None],  # 3: a date
        ["Zéro perdu", "Asso", "droits", "Laon", 2, None, None, None, None],                   # 4: 02 -> 2
        ["Code", "Asso", "droits", "Château-Thierry", "02", None, None, None, 2168],           # 5: 02168 -> 2168
        ["Ambigu", "Asso", "droits", "Bailleul", None, None, None, None, None],                # 6: a place
        ["Zéro et lieu", "Asso", "droits", "Nullepart", 2, None, None, None, None],            # 7: both
    ]
    source = WRITERS[kind](tmp_path / f"saisie.{kind}", {"projets": rows})
    out = tmp_path / "projets.csv"
    out.write_text("ancien contenu\n", encoding="utf-8")
    report = import_file(source, out, files, gazetteer)
    located = [(e.line, e.column, e.value) for e in report.errors]
    assert located == [(3, "montant_eur", "2021-03-04"), (4, "departement", "2"), (5, "lieu", "2168"),
                       (6, "lieux", "Bailleul"), (7, "departement", "2"), (7, "lieux", "Nullepart")]
    messages = [e.format() for e in report.errors]
    assert messages[0].startswith(f"{source}, feuille « projets », ligne 3, colonne « montant_eur » (G) : "
                                  "valeur « 2021-03-04 » — du texte ou un nombre, pas une date")
    assert all("format Texte" in m for m in messages[1:3]) and "« 02 » devient 2" in messages[1]
    assert ", colonne « lieu » (I) :" in messages[2]
    assert "ambigu" in messages[3] and ", colonne « lieux » (D) :" in messages[3]
    assert out.read_text(encoding="utf-8") == "ancien contenu\n"


def test_located_by_the_sheets_own_rows_and_columns(tmp_path, files, gazetteer):
    """A table that starts at C3, with formatted empty rows under it: the messages give the
    cells as the spreadsheet shows them; the empty rows are no projects."""
    source = tmp_path / "decale.xlsx"
    workbook = xlsxwriter.Workbook(str(source))
    sheet = workbook.add_worksheet("projets")
    sheet.write_row(2, 2, COLUMNS)
    sheet.write_row(3, 2, ["Projet", "Asso", "culture", "Laon"])
    bold = workbook.add_format({"bold": True})
    for row in range(4, 40):
        sheet.write_blank(row, 2, None, bold)
    sheet.write_string(40, 2, " ")
    workbook.close()
    report = import_file(source, tmp_path / "o.csv", files, gazetteer)
    assert [e.format().split(" : ")[0] for e in report.errors] == [
        f"{source}, feuille « projets », ligne 4, colonne « theme » (E)"]


def test_a_named_column_is_required_over_data(tmp_path, files, gazetteer):
    rows = [COLUMNS + [None], ["P", "A", "droits", "Laon"] + [None] * 4 + ["?"]]
    source = xlsx(tmp_path / "s.xlsx", {"projets": rows})
    report = import_file(source, tmp_path / "o.csv", files, gazetteer)
    assert [e.format() for e in report.errors] == [
        f"{source}, feuille « projets », ligne 1 — un nom de colonne dans l'en-tête (la colonne I a des "
        "valeurs mais pas de nom)"]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("texte.xlsx", b"titre,theme,lieux\nA,droits,Laon\n", "un classeur .xlsx (Excel) : ce fichier n'en est pas un"),
    ("vide.ods", b"", "un classeur .ods (LibreOffice Calc) : ce fichier n'en est pas un"),
    ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "le format « .xls » n'est pas lu"),
])
def test_not_a_workbook_is_named_in_french(tmp_path, name, content, expected):
    source = tmp_path / name
    source.write_bytes(content)
    result = run_cli("import", source, "--output", tmp_path / "o.csv")
    assert result.returncode == 1 and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_damaged_workbook(tmp_path, files, gazetteer, kind):
    whole = WRITERS[kind](tmp_path / f"entier.{kind}", {"projets": [COLUMNS, TYPED[0]]}).read_bytes()
    damaged = tmp_path / f"abime.{kind}"
    damaged.write_bytes(whole[: len(whole) // 2])
    report = import_file(damaged, tmp_path / "o.csv", files, gazetteer)
    assert len(report.errors) == 1 and "ce fichier n'en est pas un ou il est abîmé" in report.errors[0].expected


def _in_a_child_with_little_memory(function) -> str:
    """Run `function` in a forked child whose address space is limited: a reader that tried
    to allocate a sheet's whole rectangle would die there, not in the test process."""
    import resource

    read, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(read)
            with open("/proc/self/status") as status:
                size = next(int(line.split()[1]) for line in status if line.startswith("VmSize")) * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size + 768 * 2**20, size + 768 * 2**20))
            os.write(write_end, function().encode())
            os._exit(0)
        except BaseException:
            os._exit(99)
    os.close(write_end)
    with os.fdopen(read, "rb") as pipe:
        out = pipe.read().decode()
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
    return out


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_cell_far_away_is_refused_before_it_is_read(tmp_path, files, gazetteer, kind):
    if kind == "xlsx":
        source = tmp_path / "loin.xlsx"
        workbook = xlsxwriter.Workbook(str(source))
        sheet = workbook.add_worksheet("projets")
        sheet.write_row(0, 0, COLUMNS)
        sheet.write_string(1_048_575, 16_383, "x")
        workbook.close()
    else:
        far = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
               '<table:table-row><table:table-cell table:number-columns-repeated="1000"/>'
               + _ods_cell("x") + "</table:table-row>")
        source = ods(tmp_path / "loin.ods", {"projets": [COLUMNS]}, tail=far)

    def run() -> str:
        return "\n".join(e.format() for e in import_file(source, tmp_path / "o.csv", files, gazetteer).errors)

    message = _in_a_child_with_little_memory(run)
    assert "un tableau de taille raisonnable" in message and "effacez les lignes et colonnes inutiles" in message
    assert not (tmp_path / "o.csv").exists()


def test_cli_names_the_sheet(tmp_path):
    source = xlsx(tmp_path / "saisie.xlsx", {"Projets": [COLUMNS, ["P", "A", "droits", "Bailleul"]]})
    out = tmp_path / "out.csv"
    result = run_cli("import", source, "--output", out)
    assert result.returncode == 1 and not out.exists()
    assert f"{source}, feuille « Projets », ligne 2, colonne « lieux » (D)" in result.stderr
    assert "aucun fichier écrit" in result.stderr and "Traceback" not in result.stderr
    source = xlsx(tmp_path / "saisie.xlsx", {"Projets": [COLUMNS, ["P", "A", "droits", "Bailleul (59)"]]})
    result = run_cli("import", source, "--output", out)
    assert result.returncode == 0, result.stderr
    assert "depuis la feuille « Projets »" in result.stdout
    assert read_rows(out)[0]["territoires"] == "commune:59043"

