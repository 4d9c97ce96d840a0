"""Reading CSV files as people save them, located errors, and atomic writes."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_INPUT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    """A located problem: file, line, column, the value found and what was expected."""

    file: str
    line: int
    column: str
    value: str
    expected: str
    column_number: int | None = None

    def format(self) -> str:
        where = f"{self.file}, ligne {self.line}"
        if self.column:
            number = f" (n° {self.column_number})" if self.column_number else ""
            where += f", colonne « {self.column} »{number}"
        value = f" : valeur « {self.value} »" if self.value else " : valeur vide"
        return f"{where}{value} — {self.expected}"


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number of the row's first line, cells)
    encoding: str
    delimiter: str


class TableError(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.format())
        self.error = error


def decode(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else Windows-1252 (what Excel in French writes)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise TableError(RowError(name, 1, "", "", (
            f"encodage non reconnu (octet {data[error.start]:#04x}) : enregistrez le fichier "
            "en UTF-8 ou en Windows-1252"))) from None


def detect_delimiter(header_line: str) -> str:
    """',' or ';' — whichever splits the header into more columns outside quotes."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d))) for d in (",", ";")}
    return ";" if counts[";"] > counts[","] else ","


def read_table(path: Path, *, delimiter: str | None = None, encodings: str = "auto",
               data: bytes | None = None) -> Table:
    """Read `path` (or `data`, its bytes already read) as a CSV table."""
    name = str(path)
    if data is None:
        data = read_input_bytes(path)
    if len(data) > MAX_INPUT_BYTES:
        raise TableError(RowError(name, 1, "", "", (
            f"fichier trop volumineux ({len(data)} octets, {MAX_INPUT_BYTES} au plus)")))
    if encodings == "utf-8":
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise TableError(RowError(name, line, "", "", "texte en UTF-8")) from None
    else:
        text, encoding = decode(data, name)
    if "\x00" in text:
        raise TableError(RowError(name, 1, "", "", "un fichier texte CSV (caractère nul trouvé)"))
    # The same line ends as the csv module's: \r\n, \r or \n.
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    if not first_line.strip():
        raise TableError(RowError(name, 1, "", "", "une ligne d'en-tête avec les noms des colonnes"))
    delimiter = delimiter or detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        rows: list[tuple[int, dict[str, str]]] = []
        start = reader.line_num + 1
        for cells in reader:
            line = start
            start = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # blank line
            if len(cells) != len(header):
                raise TableError(RowError(name, line, "", f"{len(cells)} cellules", (
                    f"{len(header)} cellules séparées par « {delimiter} » comme l'en-tête "
                    "(un guillemet ou un séparateur en trop ?)")))
            rows.append((line, dict(zip(header, cells))))
    except csv.Error as error:
        raise TableError(RowError(name, reader.line_num, "", "", (
            f"CSV mal formé ({error}) : vérifiez les guillemets"))) from None
    return Table(header, rows, encoding, delimiter)


def read_input_bytes(path: Path) -> bytes:
    """A file's bytes, or a located French error (missing, a folder, unreadable)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problem = "un fichier existant (introuvable)"
    except IsADirectoryError:
        problem = "un fichier (c'est un dossier)"
    except PermissionError:
        problem = "un fichier lisible (lecture refusée)"
    except OSError as error:
        problem = f"un fichier lisible ({error.strerror or error})"
    raise TableError(RowError(str(path), 0, "", "", problem))


def write_csv_text(header: tuple[str, ...] | list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
