"""/projets.xlsx: the rows of /projets.csv in a workbook French Excel opens as it is."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from conftest import canonical_rows, data_dir_with, make_app
from python_calamine import CalamineWorkbook

from webmap.projects.schema import CANONICAL_COLUMNS
from webmap.web.common import protect_cell

HOSTILE = {
    "titre": '=HYPERLINK("https://evil.example/","Cliquez")',
    "porteur": "+33 6 12 34 56 78",
    "description": "-2+3\nligne « deux »\t<b>fin</b>",
    "note": "@SUM(A1:A9)",
    "source": "_x0041_ littéral",
    "lieux_cites": "  espaces gardés  ",
}


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


def sheet_rows(body: bytes) -> list[list]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(body))
    assert workbook.sheet_names == ["projets"]
    return workbook.get_sheet_by_name("projets").to_python(skip_empty_area=False)


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))))


def cells_xml(body: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_the_workbook_holds_the_csv_rows_exactly(client):
    xlsx = client.get("/projets.xlsx")
    assert xlsx.status_code == 200
    rows = sheet_rows(xlsx.data)
    assert rows == csv_rows(client.get("/projets.csv").data)  # the shipped texts need no protection
    assert rows[0] == list(CANONICAL_COLUMNS) and len(rows) == 55
    assert all(isinstance(cell, str) for row in rows for cell in row)
    departements = {row[CANONICAL_COLUMNS.index("departements")] for row in rows[1:]}
    assert "02" in departements  # the leading zero kept
    # Every filled cell is a shared string (t="s"): no number, no boolean, no formula.
    xml = cells_xml(xlsx.data)
    assert b"<f>" not in xml and b"<f " not in xml
    assert set(re.findall(rb'<c r="[A-Z]+\d+"(?: s="\d+")?( t="\w+")?>', xml)) == {b' t="s"'}


def test_a_hostile_text_stays_a_literal_string(tmp_path):
    rows = canonical_rows()
    rows[0].update(HOSTILE)
    client = make_app(data_dir_with(tmp_path / "data", rows)).test_client()
    body = client.get("/projets.xlsx").data
    read = sheet_rows(body)
    first = dict(zip(read[0], read[1], strict=True))
    for field, text in HOSTILE.items():
        assert first[field] == text, field  # verbatim: never run, never prefixed
    xml = cells_xml(body)
    assert b"<f>" not in xml and b"<f " not in xml and b"HYPERLINK" not in xml  # in the shared strings
    # The CSV needs the apostrophe (a spreadsheet runs its cells); the workbook does not.
    written = csv_rows(client.get("/projets.csv").data)
    assert [[protect_cell(cell) for cell in row] for row in read] == written
    assert written[1][CANONICAL_COLUMNS.index("titre")] == "'" + HOSTILE["titre"]


def test_the_same_rows_give_the_same_bytes(tmp_path):
    """Two builds are identical, and no date in the file comes from the clock (the package's
    dates are fixed: checked in its XML rather than by waiting for the clock to move)."""
    import datetime

    first = make_app().test_client().get("/projets.xlsx").data
    assert make_app().test_client().get("/projets.xlsx").data == first
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        dates = {info.date_time for info in package.infolist()}
        core = package.read("docProps/core.xml").decode()
    today = datetime.date.today()
    assert today.isoformat() not in core and str(today.year) not in core
    assert all(date[:3] != (today.year, today.month, today.day) for date in dates)


def test_served_like_the_csv(client):
    xlsx = client.get("/projets.xlsx", headers={"Accept-Encoding": "gzip"})
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["Content-Disposition"] == 'attachment; filename="projets.xlsx"'
    plain = client.get("/projets.csv", headers={"Accept-Encoding": "gzip"})
    for header in ("Cache-Control", "Vary", "Access-Control-Allow-Origin"):
        assert xlsx.headers.get(header) == plain.headers.get(header), header
    again = client.get("/projets.xlsx", headers={"Accept-Encoding": "gzip", "If-None-Match": xlsx.headers["ETag"]})
    assert again.status_code == 304


def test_offered_wherever_the_csv_is(client):
    for page in ("/", "/projets"):
        html = client.get(page).get_data(as_text=True)
        assert 'href="/projets.csv"' in html
        assert '<a href="/projets.xlsx">Télécharger' in html and "(tableur Excel, .xlsx)</a>" in html, page


def test_written_by_the_static_copy():
    from webmap.web.export import data_files

    assert "/projets.xlsx" in data_files(["02"], ["hdf-2021-01"])
