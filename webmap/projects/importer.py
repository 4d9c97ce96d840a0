"""`webmap import`: a project list typed by a person -> the canonical `projets.csv`.

The list is a CSV or a spreadsheet (.xlsx, .ods: webmap.projects.sheetio reads it as rows of
text, so both go through the same checks). Every row is checked; if any is wrong nothing is
written and every error is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from webmap.places.gazetteer import Gazetteer, normalize
from webmap.projects.csvio import (
    RowError,
    Table,
    TableError,
    atomic_write_text,
    os_error_fr,
    output_problem,
    read_table,
    write_csv_text,
)
from webmap.projects.schema import (
    BOOLEAN_EXPECTED,
    CANONICAL_COLUMNS,
    ECHELLES,
    ID_PATTERN,
    THEMES,
    coarsest_precision,
    format_amount,
    format_boolean,
    french_or,
    parse_amount,
    parse_boolean,
    theme_from_text,
)
from webmap.projects.sheetio import is_spreadsheet, other_spreadsheet_format, read_sheet
from webmap.reference.files import ReferenceFiles

INPUT_COLUMNS = ("titre", "porteur", "theme", "lieux", "departement", "aller_vers",
                 "montant_eur", "description")
OPTIONAL_COLUMNS = ("id", "echelle", "lieu", "zone_blanche", "lieux_cites", "source", "note")
REQUIRED_COLUMNS = ("titre", "theme", "lieux")
# « compris entre A, B, C » in `lieux`: the area whose corners are these communes.
BETWEEN = "compris entre"


@dataclass
class ImportReport:
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    output: Path | None = None
    sheet: str = ""  # the spreadsheet's sheet that was read

    @property
    def summary(self) -> str:
        counts = {t.slug: sum(r["theme"] == t.slug for r in self.rows) for t in THEMES}
        detail = ", ".join(f"{slug} : {n}" for slug, n in counts.items())
        read = f" depuis la feuille « {self.sheet} »" if self.sheet else ""
        return f"{len(self.rows)} projets écrits dans {self.output}{read} ({detail})."


def _header_key(name: str) -> str:
    return normalize(name).replace(" ", "_")


class _RowContext:
    """Collects the errors of one row with its location."""

    def __init__(self, file: str, line: int, header_index: dict[str, int], errors: list[RowError],
                 sheet: str = ""):
        self.file, self.line, self.index, self.errors, self.sheet = file, line, header_index, errors, sheet
        # How a place was read when not by its name today: (« name », note).
        self.notes: list[tuple[str, str]] = []

    def error(self, column: str, value: str, expected: str) -> None:
        self.errors.append(RowError(self.file, self.line, column, value, expected,
                                    self.index.get(column), self.sheet))


def convert_rows(table_rows, header_map, file: str, gazetteer: Gazetteer, header_index: dict[str, int],
                 sheet: str = "") -> tuple[list[dict[str, str]], list[RowError]]:
    """`header_index`: each column's number (1-based) for the messages."""
    errors: list[RowError] = []
    out: list[dict[str, str]] = []
    seen_ids: dict[str, int] = {}
    for number, (line, raw) in enumerate(table_rows, start=1):
        cells = {key: raw.get(original, "").strip() for key, original in header_map.items()}
        ctx = _RowContext(file, line, header_index, errors, sheet)
        row = convert_row(cells, ctx, gazetteer, number)
        if row is None:
            continue
        if row["id"] in seen_ids:
            ctx.error("id", row["id"], f"un identifiant unique (déjà utilisé ligne {seen_ids[row['id']]})")
            continue
        seen_ids[row["id"]] = line
        out.append(row)
    return out, errors


def convert_row(cells: dict[str, str], ctx: _RowContext, gazetteer: Gazetteer,
                number: int) -> dict[str, str] | None:
    before = len(ctx.errors)
    get = cells.get
    titre = get("titre", "")
    if not titre:
        ctx.error("titre", "", "un titre de projet (obligatoire)")

    theme = theme_from_text(get("theme", ""))
    if theme is None:
        accepted = " ; ".join(f"« {t.slug} » ou « {t.titre} »" for t in THEMES)
        ctx.error("theme", get("theme", ""), f"un thème parmi : {accepted}")

    departement = _parse_departement(get("departement", ""), ctx, gazetteer)
    territories = _resolve_places(get("lieux", ""), departement, ctx, gazetteer)
    lieu = _resolve_marker(get("lieu", ""), departement, territories, ctx, gazetteer)

    flags = {}
    for column in ("aller_vers", "zone_blanche"):
        value = parse_boolean(get(column, ""))
        if value is None:
            ctx.error(column, get(column, ""), BOOLEAN_EXPECTED)
        flags[column] = bool(value)

    amount = parse_amount(get("montant_eur", ""))
    if isinstance(amount, str):
        ctx.error("montant_eur", get("montant_eur", ""), amount)
        amount = None

    identifier = get("id", "") or f"projet-{number:02d}"
    if not ID_PATTERN.fullmatch(identifier):
        ctx.error("id", identifier, "un identifiant en minuscules, chiffres et tirets (ex. hdf-2021-01)")

    echelle = get("echelle", "")
    if echelle and echelle not in ECHELLES:
        ctx.error("echelle", echelle, french_or(ECHELLES))

    if len(ctx.errors) > before or theme is None or territories is None:
        return None
    kinds = [t.kind for t in territories]
    typed = [t.typed_code for t in territories]
    regional = "region" in kinds
    deps = [] if regional else _departements(territories, departement)
    if not echelle:
        echelle = "regional" if regional else (
            "departemental" if set(kinds) == {"departement"} else "local")
    return {
        "id": identifier,
        "titre": titre,
        "porteur": get("porteur", ""),
        "theme": theme.slug,
        "echelle": echelle,
        "departements": ";".join(deps),
        "territoires": ";".join(dict.fromkeys(typed)),
        "lieu": lieu.code if lieu else "",
        "precision": "commune" if lieu else coarsest_precision(kinds),
        "aller_vers": format_boolean(flags["aller_vers"]),
        "zone_blanche": format_boolean(flags["zone_blanche"]),
        "montant_eur": format_amount(amount),
        "description": get("description", ""),
        # Word for word from the text: a transcription that has the column keeps it, even
        # empty (no place named); a list without it cites the places as typed.
        "lieux_cites": cells["lieux_cites"] if "lieux_cites" in cells else get("lieux", ""),
        "source": get("source", ""),
        "note": _with_place_notes(get("note", ""), ctx.notes),
    }


def _with_place_notes(note: str, place_notes: list[tuple[str, str]]) -> str:
    """The row's note, then how each place was read (former name, postal spelling, alias),
    except for a name the row's note already explains."""
    added = [f"{name} : {text}" for name, text in dict.fromkeys(place_notes) if name not in note]
    return " ; ".join(n for n in (note, *added) if n)


def _departements(territories, departement: str | None) -> list[str]:
    """The departments a project is listed under: a territory straddling the row's
    department and another (an EPCI with one commune across the border) counts for the
    row's department only, as the press kit lists it; a territory elsewhere adds its own."""
    deps = set()
    for territory in territories:
        if departement and departement in territory.departements:
            deps.add(departement)
        else:
            deps.update(territory.departements)
    return sorted(deps)


def _parse_departement(text: str, ctx: _RowContext, gazetteer: Gazetteer) -> str | None:
    if not text:
        return None
    code = text.strip().zfill(2) if text.strip().isdigit() else None
    if code is None:
        resolution = gazetteer.resolve(text)
        if resolution.ok and resolution.place.territory.kind == "departement":
            code = resolution.place.territory.code
    departements = gazetteer.territories.region.departements
    if code not in departements:
        ctx.error("departement", text, "un département de la région : " + ", ".join(
            f"{c} ({gazetteer.territories.get(f'departement:{c}').nom})" for c in departements))
        return None
    return code


def _resolve_places(text: str, departement: str | None, ctx: _RowContext, gazetteer: Gazetteer):
    names = [n.strip() for n in text.split(";") if n.strip()]
    if not names:
        ctx.error("lieux", text, "au moins un lieu (commune, intercommunalité, arrondissement, "
                  "département ou « Hauts-de-France »), séparés par des « ; »")
        return None
    places = []
    failed = False
    for name in names:
        if normalize(name).startswith(BETWEEN + " "):
            area = _resolve_between(name, departement, ctx, gazetteer)
            failed = failed or area is None
            places.extend(area or ())
            continue
        resolution = _resolve_one(name, departement, gazetteer)
        if resolution.ok:
            places.append(resolution.place.territory)
            if resolution.place.note:  # a former name, a postal spelling: the output says so
                ctx.notes.append((f"« {name} »", resolution.place.note))
        else:
            failed = True
            ctx.error("lieux", name, _expectation(resolution))
    return None if failed else places


def _resolve_one(name: str, departement: str | None, gazetteer: Gazetteer):
    resolution = gazetteer.resolve(name, departement=departement)
    if not resolution.ok and departement and resolution.status == "unknown":
        # The row's department filters homonyms; a place of another department of the
        # region (a project straddling two departments) is still accepted.
        resolution = gazetteer.resolve(name)
    return resolution


def _resolve_between(text: str, departement: str | None, ctx: _RowContext, gazetteer: Gazetteer):
    """« compris entre Laon, Guise, Hirson » -> the communes inside the outline of the named
    communes (Territories.communes_between): the towns are the corners of the area."""
    corners_text = re.sub(r"^\s*compris\s+entre\s+", "", text, flags=re.IGNORECASE)
    names = [n.strip() for n in corners_text.split(",") if n.strip()]
    if len(names) < 3:
        ctx.error("lieux", text, f"« {BETWEEN} » suivi d'au moins trois communes séparées par des "
                  "virgules (les coins de la zone), par exemple « compris entre Laon, Guise, Hirson »")
        return None
    codes = []
    for name in names:
        resolution = _resolve_one(name, departement, gazetteer)
        if not resolution.ok:
            ctx.error("lieux", name, _expectation(resolution))
        elif resolution.place.territory.kind != "commune":
            ctx.error("lieux", name, f"une commune (coin de la zone « {BETWEEN} »)")
        else:
            codes.append(resolution.place.territory.code)
    if len(codes) != len(names):
        return None
    territories = gazetteer.territories
    return [territories.get(f"commune:{code}") for code in territories.communes_between(codes)]


def _expectation(resolution) -> str:
    if resolution.status == "ambiguous":
        return resolution.message + " Ou remplissez la colonne « departement »."
    return resolution.message


def _resolve_marker(text: str, departement, territories, ctx: _RowContext, gazetteer: Gazetteer):
    if not text:
        return None
    resolution = gazetteer.resolve(text, departement=departement)
    if not resolution.ok:
        ctx.error("lieu", text, _expectation(resolution))
        return None
    place = resolution.place.territory
    if place.kind != "commune":
        ctx.error("lieu", text, "une commune (le lieu où placer le marqueur)")
        return None
    if territories is not None:
        served = {c for t in territories for c in gazetteer.territories.communes_of(t.typed_code)}
        if place.code not in served:
            ctx.error("lieu", text, "une commune située dans les lieux servis (colonne « lieux »)")
            return None
    return place


def read_input_table(source: Path) -> Table:
    """A CSV, or a spreadsheet's sheet read as rows of text (by the file's extension)."""
    if is_spreadsheet(source):
        return read_sheet(source)
    other = other_spreadsheet_format(source)
    if other:
        raise TableError(RowError(str(source), 0, "", "", other))
    return read_table(source)


def import_file(source: Path, output: Path, files: ReferenceFiles,
                gazetteer: Gazetteer | None = None) -> ImportReport:
    report = ImportReport(output=output)
    problem = output_problem(output)
    if problem:
        report.errors.append(RowError(str(output), 0, "", str(output), problem))
        return report
    try:
        table = read_input_table(source)
    except TableError as error:
        report.errors.append(error.error)
        return report
    name, sheet, first = str(source), table.sheet, table.header_line
    report.sheet = sheet
    header_map: dict[str, str] = {}
    header_index: dict[str, int] = {}
    known = INPUT_COLUMNS + OPTIONAL_COLUMNS
    for position, title in enumerate(table.header):
        key = _header_key(title)
        if key not in known:
            report.errors.append(RowError(name, first, title, title, (
                "une colonne connue : " + ", ".join(known)), table.column_number(position), sheet))
            continue
        header_map[key] = title
        header_index[key] = table.column_number(position)
    for column in REQUIRED_COLUMNS:
        if column not in header_map:
            report.errors.append(RowError(name, first, column, "", (
                f"la colonne obligatoire « {column} » dans l'en-tête (colonnes obligatoires : "
                + ", ".join(REQUIRED_COLUMNS) + ")"), sheet=sheet))
    report.errors.extend(e for e in table.errors if not e.column)  # a header cell without a name
    if report.errors:
        return report
    if not table.rows:
        report.errors.append(RowError(name, first + 1, "", "", "au moins une ligne de projet", sheet=sheet))
        return report
    gazetteer = gazetteer or Gazetteer.load(files)
    rows, errors = convert_rows(table.rows, header_map, name, gazetteer, header_index, sheet)
    # A cell the spreadsheet could not give as text is reported once, by its own message.
    refused = {(e.line, e.column) for e in table.errors}
    report.errors.extend(sorted([*table.errors, *(e for e in errors if (e.line, e.column) not in refused)],
                                key=lambda e: e.line))
    if report.errors:
        return report
    try:
        atomic_write_text(output, write_csv_text(CANONICAL_COLUMNS, rows))
    except OSError as error:
        report.errors.append(RowError(str(output), 0, "", "", (
            f"un fichier où écrire ({os_error_fr(error)}) : rien n'a été écrit")))
        return report
    report.rows = rows
    return report
