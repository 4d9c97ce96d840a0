"""Reading a spreadsheet (.xlsx, .ods) as rows of text, for the same validation as a CSV.

A cell becomes the text a person would have typed in the CSV: text as is, whole numbers
without « .0 », booleans as the CSV's words. What cannot be turned into that text without a
guess is refused with its location: a date, or a number in a column of codes whose leading
zero the spreadsheet may have dropped (« 02 » typed in a number column becomes 2).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from webmap.places.gazetteer import normalize
from webmap.projects.csvio import (
    RowError,
    Table,
    TableError,
    check_input_size,
    column_letters,
    read_input_bytes,
)
from webmap.projects.schema import format_boolean

SPREADSHEET_SUFFIXES = {".xlsx": "Excel", ".ods": "LibreOffice Calc"}
# Read by nothing here: a clear request to save the file in a format that is.
OTHER_SPREADSHEET_SUFFIXES = (".xls", ".xlsb", ".xlsm", ".xltx", ".ots", ".numbers")
PREFERRED_SHEET = "projets"
# Columns that hold codes, and the widths a code of the region has there: a number of
# another width may have lost its leading zero (02 -> 2, 02141 -> 2141).
CODE_COLUMNS = {"departement": (2,), "lieu": (2, 5), "lieux": (2, 5)}
# A filled cell far away (XFD1048576) would make the reader allocate the whole rectangle.
MAX_CELLS = 1_000_000
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024


def is_spreadsheet(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


def other_spreadsheet_format(path: Path) -> str | None:
    """The French expectation for a spreadsheet format we do not read, or None."""
    if path.suffix.lower() not in OTHER_SPREADSHEET_SUFFIXES:
        return None
    return (f"un classeur .xlsx ou .ods, ou un CSV (le format « {path.suffix} » n'est pas lu) : "
            "enregistrez-le sous « Classeur Excel (.xlsx) » ou « Classeur ODF (.ods) »")


def read_sheet(path: Path, data: bytes | None = None) -> Table:
    """The sheet « projets » (else the first sheet) of a .xlsx or .ods file, as a Table of text;
    cells that cannot be read as text are in `Table.errors`. Raises TableError for a file that
    cannot be read at all."""
    from python_calamine import CalamineError, CalamineWorkbook

    name = str(path)
    kind = path.suffix.lower()
    if data is None:
        data = read_input_bytes(path)
    check_input_size(data, name)
    not_a_workbook = (f"un classeur {kind} ({SPREADSHEET_SUFFIXES.get(kind, 'tableur')}) : ce fichier n'en "
                      "est pas un ou il est abîmé ; enregistrez-le de nouveau depuis le tableur")
    _check_extent(data, name, not_a_workbook)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _choose_sheet(workbook)
        if sheet_name is None:
            raise TableError(RowError(name, 0, "", "", "un classeur avec au moins une feuille de calcul"))
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except TableError:
        raise
    except (CalamineError, ValueError) as error:  # zip, XML, password, format
        if type(error).__name__ == "PasswordError":
            raise TableError(RowError(name, 0, "", "", (
                "un classeur sans mot de passe : enregistrez-en une copie non protégée"))) from None
        raise TableError(RowError(name, 0, "", "", not_a_workbook)) from None
    return _table(cells, name, sheet_name)


def _choose_sheet(workbook) -> str | None:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    worksheets = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    names = [m.name for m in worksheets]
    if PREFERRED_SHEET in names:
        return PREFERRED_SHEET
    named = [n for n in names if normalize(n) == PREFERRED_SHEET]
    if named:
        return named[0]
    visible = [m.name for m in worksheets if m.visible == SheetVisibleEnum.Visible]
    return (visible or names or [None])[0]


def _table(cells: list[list], name: str, sheet: str) -> Table:
    rows_with_text = [(number, row) for number, row in enumerate(cells, start=1)
                      if any(not _empty(c) for c in row)]
    if not rows_with_text:
        raise TableError(RowError(name, 1, "", "", "une ligne d'en-tête avec les noms des colonnes",
                                  sheet=sheet))
    header_line, header_cells = rows_with_text[0]
    errors: list[RowError] = []
    columns: list[tuple[int, str]] = []  # (column number, its name)
    for index, cell in enumerate(header_cells):
        title = _header_text(cell)
        data_below = any(not _empty(row[index]) for _, row in rows_with_text[1:])
        if title:
            columns.append((index + 1, title))
        elif data_below:
            errors.append(RowError(name, header_line, "", "", (
                f"un nom de colonne dans l'en-tête (la colonne {column_letters(index + 1)} a des "
                "valeurs mais pas de nom)"), index + 1, sheet))
    header = [title for _, title in columns]
    rows: list[tuple[int, dict[str, str]]] = []
    for line, row in rows_with_text[1:]:
        texts = {}
        for number, title in columns:
            text, problem = cell_text(row[number - 1], normalize(title).replace(" ", "_"))
            if problem:
                errors.append(RowError(name, line, title, text, problem, number, sheet))
            texts[title] = text
        rows.append((line, texts))
    return Table(header, rows, "", "", sheet=sheet, header_line=header_line,
                 column_numbers=[number for number, _ in columns], errors=errors)


def _empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header_text(cell) -> str:
    text, _ = cell_text(cell, "")
    return text.strip()


_DATE_TYPES = (datetime.date, datetime.time, datetime.timedelta)  # datetime is a date


def cell_text(cell, column: str) -> tuple[str, str | None]:
    """The cell as the text a CSV would hold, and the French expectation when it is refused
    (the text is then what the cell shows, for the message)."""
    if cell is None:
        return "", None
    if isinstance(cell, str):
        return cell, None
    if isinstance(cell, bool):
        return format_boolean(cell), None
    if isinstance(cell, _DATE_TYPES):
        shown = cell.isoformat() if not isinstance(cell, datetime.timedelta) else str(cell)
        return shown, ("du texte ou un nombre, pas une date ou une durée (le tableur a converti la saisie) : "
                       "mettez la colonne au format Texte et retapez la valeur")
    if isinstance(cell, int | float):
        text = _number_text(cell)
        widths = CODE_COLUMNS.get(column)
        if widths and not (re.fullmatch(r"\d+", text) and len(text) in widths):
            return text, ("un code saisi comme texte : la cellule est un nombre, et le tableur efface le "
                          "zéro du début des codes (« 02 » devient 2) ; mettez la colonne au format Texte "
                          "et retapez les codes")
        return text, None
    return str(cell), "une cellule de texte ou un nombre"


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


# Cell positions in the sheets' XML: <c r="XFD1048576">, or ODS rows and cells that repeat.
_XLSX_REF = re.compile(rb'<(?:\w+:)?(?:c|row)\b[^>]*?\sr="([A-Z]{0,3})(\d+)"')
_ODS = {
    "table": "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}",
    "office": "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}",
}


def _check_extent(data: bytes, name: str, not_a_workbook: str) -> None:
    """Refuse, before the reader allocates it, a sheet whose last filled cell is so far that
    the rectangle up to it exceeds MAX_CELLS (and a zip that unpacks to too much)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
                raise TableError(RowError(name, 0, "", "", (
                    f"un classeur de moins de {MAX_UNZIPPED_BYTES // 2**20} Mo une fois décompressé")))
            extents = []
            for member in members:
                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
                    extents.append(_xlsx_extent(archive.read(member)))
                elif member.filename == "content.xml":
                    extents += _ods_extents(archive.read(member))
    except (zipfile.BadZipFile, ElementTree.ParseError, EOFError, ValueError, NotImplementedError):
        raise TableError(RowError(name, 0, "", "", not_a_workbook)) from None
    for rows, cols in extents:
        if rows * cols > MAX_CELLS:
            raise TableError(RowError(name, 0, "", "", (
                f"un tableau de taille raisonnable : une cellule remplie est en {column_letters(cols)}{rows} ; "
                "effacez les lignes et colonnes inutiles (sélectionnez-les, puis « Supprimer »)")))


def _xlsx_extent(xml: bytes) -> tuple[int, int]:
    rows = cols = 0
    for letters, digits in _XLSX_REF.findall(xml):
        rows = max(rows, int(digits))
        number = 0
        for letter in letters.decode():
            number = number * 26 + ord(letter) - ord("A") + 1
        cols = max(cols, number)
    return rows, cols


def _ods_extents(xml: bytes) -> list[tuple[int, int]]:
    """(last filled row, last filled column) of each table; repeated empty rows and cells
    count only when something filled comes after them."""
    t, office = _ODS["table"], _ODS["office"]
    extents = []
    row = rows = cols = 0
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        if event == "start" and element.tag == f"{t}table":
            row = rows = cols = 0
        elif event == "end" and element.tag == f"{t}table-row":
            repeat = int(element.get(f"{t}number-rows-repeated", "1"))
            column = last = 0
            for cell in element:
                span = int(cell.get(f"{t}number-columns-repeated", "1"))
                column += span
                if cell.get(f"{office}value-type") or len(cell):
                    last = column
            if last:
                rows, cols = row + repeat, max(cols, last)
            row += repeat
            element.clear()
        elif event == "end" and element.tag == f"{t}table":
            extents.append((rows, cols))
            element.clear()
    return extents
