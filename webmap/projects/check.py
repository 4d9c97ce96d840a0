"""`webmap check`: validate the canonical project file (schema, codes, counts, ids).

The column rules are schema.region_columns of the data folder's region, the ones /schema.json
publishes (schema.table_schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from webmap.projects.csvio import RowError, TableError, read_table
from webmap.projects.schema import (
    CANONICAL_COLUMNS,
    LIST_SEPARATOR,
    THEMES,
    coarsest_precision,
    region_columns,
)
from webmap.reference.files import ReferenceFiles
from webmap.reference.territories import Territories, split_typed_code


@dataclass
class CheckReport:
    path: Path
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def summary(self) -> str:
        counts = ", ".join(f"{t.slug} : {sum(r['theme'] == t.slug for r in self.rows)}"
                           for t in THEMES)
        return f"{self.path} : {len(self.rows)} projets valides ({counts})."


def check_file(path: Path, files: ReferenceFiles, territories: Territories | None = None,
               expect_press_kit_counts: bool = False, data: bytes | None = None) -> CheckReport:
    """Validate a canonical file (or `data`, its bytes already read)."""
    report = CheckReport(path)
    name = str(path)
    try:
        table = read_table(path, delimiter=",", encodings="utf-8", data=data)
    except TableError as error:
        report.errors.append(error.error)
        return report
    if tuple(table.header) != CANONICAL_COLUMNS:
        report.errors.append(RowError(name, 1, "", ",".join(table.header), (
            "l'en-tête canonique : " + ",".join(CANONICAL_COLUMNS))))
        return report
    territories = territories or Territories.load(files)
    index = {c: i + 1 for i, c in enumerate(CANONICAL_COLUMNS)}
    seen: dict[str, int] = {}
    for line, row in table.rows:
        def error(column: str, expected: str, line=line, row=row) -> None:
            report.errors.append(RowError(name, line, column, row[column], expected, index[column]))

        _check_row(row, territories, error)
        if row["id"] in seen:
            error("id", f"un identifiant unique (déjà utilisé ligne {seen[row['id']]})")
        seen.setdefault(row["id"], line)
    report.rows = [row for _, row in table.rows]
    if not report.rows and not report.errors:
        report.errors.append(RowError(name, 2, "", "", "au moins un projet après l'en-tête"))
    if expect_press_kit_counts and not report.errors:
        for theme in THEMES:
            count = sum(r["theme"] == theme.slug for r in report.rows)
            if count != theme.attendu:
                report.errors.append(RowError(name, 0, "theme", theme.slug, (
                    f"{theme.attendu} projets « {theme.slug} » comme dans le dossier de presse "
                    f"(trouvé : {count})")))
    return report


def _check_row(row: dict[str, str], territories: Territories, error) -> None:
    # The column rules /schema.json publishes (required, closed lists, patterns), from the
    # same definitions (schema.region_columns); then what a schema cannot say.
    wrong = set()
    columns = region_columns(territories.region)
    for column in columns:
        cell = row[column.name]
        item = column.wrong_item(cell)
        if item is not None:
            wrong.add(column.name)
            error(column.name, column.expected + (f" (« {item} » ne l'est pas)" if item != cell else ""))
    codes = [] if "territoires" in wrong else row["territoires"].split(LIST_SEPARATOR)
    kinds = []
    for typed in codes:
        if territories.get(typed) is None:
            error("territoires", f"des territoires de la région (« {typed} » est inconnu)")
        else:
            kinds.append(split_typed_code(typed)[0])
    known = bool(codes) and len(kinds) == len(codes)
    lieu = "" if "lieu" in wrong else row["lieu"]
    if lieu:
        if territories.get(f"commune:{lieu}") is None:
            error("lieu", next(c for c in columns if c.name == "lieu").expected)
        elif known and not any(lieu in territories.communes_of(t) for t in codes):
            error("lieu", "une commune située dans les territoires servis")
    if known and "precision" not in wrong and "lieu" not in wrong:
        expected = "commune" if lieu else coarsest_precision(kinds)
        if row["precision"] != expected:
            error("precision", f"« {expected} » (lieu du marqueur ou territoire le moins précis)")


class ProjectsRejected(Exception):
    """A projects file that `webmap check` rejects: nothing of it may be served."""

    def __init__(self, report: CheckReport):
        self.report = report
        super().__init__(self.message())

    def lines(self, limit: int = 5) -> list[str]:
        errors = self.report.errors
        shown = [e.format() for e in errors[:limit]]
        if len(errors) > limit:
            shown.append(f"… et {len(errors) - limit} autre(s) erreur(s) (webmap check pour la liste)")
        return shown

    def message(self) -> str:
        count = len(self.report.errors)
        return (f"{self.report.path} refusé par webmap check ({count} erreur(s)) :\n"
                + "\n".join(self.lines()))


@dataclass(frozen=True)
class CheckedProjects:
    """A projects file read once and validated: its bytes, its rows and its projects."""

    raw: bytes
    rows: list[dict[str, str]]
    projects: list


def load_checked(path: Path, files: ReferenceFiles,
                 territories: Territories | None = None) -> CheckedProjects:
    """The projects of `path` with exactly the rules of `webmap check FILE`; the bytes are
    read once, so what is validated is what is served. Raises ProjectsRejected."""
    from webmap.projects.csvio import read_input_bytes
    from webmap.projects.store import project_from_row

    try:
        raw = read_input_bytes(path)
    except TableError as error:
        raise ProjectsRejected(CheckReport(path, errors=[error.error])) from None
    report = check_file(path, files, territories, data=raw)
    if report.errors:
        raise ProjectsRejected(report)
    return CheckedProjects(raw, report.rows, [project_from_row(r) for r in report.rows])
