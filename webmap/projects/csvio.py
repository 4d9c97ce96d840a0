"""Reading CSV files as people save them, located errors, and atomic writes."""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_INPUT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    """A located problem: file (and sheet of a spreadsheet), line, column, the value found
    and what was expected."""

    file: str
    line: int
    column: str
    value: str
    expected: str
    column_number: int | None = None
    sheet: str = ""

    def format(self) -> str:
        where = self.file + (f", feuille « {self.sheet} »" if self.sheet else "")
        where += f", ligne {self.line}" if self.line else ""
        if self.column:
            number = ""
            if self.column_number:  # a spreadsheet names its columns by letters
                number = f" ({column_letters(self.column_number)})" if self.sheet else f" (n° {self.column_number})"
            where += f", colonne « {self.column} »{number}"
        value = f" : valeur « {self.value} »" if self.value else (" : valeur vide" if self.column else "")
        return f"{where}{value} — {self.expected}"


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA: a column as a spreadsheet names it."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number of the row's first line, cells)
    encoding: str
    delimiter: str
    # A spreadsheet's: its sheet, the row of its header, each header cell's column number
    # (1 = A; empty columns are left out) and the cells refused while reading it as text.
    sheet: str = ""
    header_line: int = 1
    column_numbers: list[int] | None = None
    errors: list[RowError] = field(default_factory=list)

    def column_number(self, position: int) -> int:
        """The column number (1-based) of the header's `position`-th name."""
        return self.column_numbers[position] if self.column_numbers else position + 1


class TableError(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.format())
        self.error = error


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def decode(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else Windows-1252 (what Excel in French writes); a file
    that mixes both (rows pasted from two sources) is refused rather than misread."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        bad_line = data[: error.start].count(b"\n") + 1
        bad_byte = data[error.start]
    utf8 = _UTF8_SEQUENCE.search(data)
    if utf8:
        utf8_line = data[: utf8.start()].count(b"\n") + 1
        raise TableError(RowError(name, bad_line, "", "", (
            f"un seul encodage : le fichier mélange de l'UTF-8 (ligne {utf8_line}) et un autre "
            f"encodage (octet {bad_byte:#04x} ligne {bad_line}, sans doute Windows-1252) ; "
            "enregistrez-le entièrement en UTF-8")))
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
    check_input_size(data, name)
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
            rows.append((line, dict(zip(header, cells, strict=True))))
    except csv.Error as error:
        raise TableError(RowError(name, reader.line_num, "", "", (
            f"CSV mal formé ({error}) : vérifiez les guillemets"))) from None
    return Table(header, rows, encoding, delimiter)


def check_input_size(data: bytes, name: str) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise TableError(RowError(name, 1, "", "", (
            f"fichier trop volumineux ({len(data)} octets, {MAX_INPUT_BYTES} au plus)")))


def read_input_bytes(path: Path) -> bytes:
    """A file's bytes, or a located French error (missing, a folder, unreadable)."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise TableError(RowError(str(path), 0, "", "", f"un fichier lisible ({os_error_fr(error)})")) from None


def write_csv_text(header: tuple[str, ...] | list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def output_problem(path: Path) -> str | None:
    """Why `path` cannot receive a file (French), or None."""
    if not str(path).strip():
        return "un nom de fichier de sortie (vide)"
    if path.is_dir():
        return "un nom de fichier de sortie (c'est un dossier)"
    if path.exists() and not path.is_file():
        return "un fichier ordinaire (c'est un périphérique ou un autre type de fichier)"
    parent = path.parent
    if not parent.is_dir():
        return f"un fichier dans un dossier existant (« {parent} » n'existe pas ou n'est pas un dossier)"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"un dossier où écrire (« {parent} » n'est pas modifiable)"
    return None


NEW_FILE_MODE = 0o644
_OS_ERRORS_FR = {
    errno.EACCES: "permission refusée", errno.EPERM: "opération non permise",
    errno.ENOSPC: "disque plein", errno.EROFS: "système de fichiers en lecture seule",
    errno.ENAMETOOLONG: "nom trop long", errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier", errno.ENOENT: "introuvable",
    errno.EBUSY: "ressource occupée", errno.EXDEV: "autre système de fichiers",
    errno.EFBIG: "fichier trop grand pour ce système ou ce quota", errno.EDQUOT: "quota dépassé",
}


def os_error_fr(error: OSError) -> str:
    """The reason of a system error, in French."""
    return _OS_ERRORS_FR.get(error.errno, error.strerror or str(error))


def atomic_write_text(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never
    half. The replaced file's permissions are kept (0644 for a new file), so a server
    running as another user can still read it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
