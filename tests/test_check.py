"""`webmap check`: the canonical file's schema, codes, counts and ids."""

from __future__ import annotations

import subprocess
import sys

from conftest import run_cli

from webmap.projects.check import check_file


def test_wrong_file_fails_with_line_numbered_messages(tmp_path, files, territories):
    lines = files.projects.read_text(encoding="utf-8").splitlines(keepends=True)
    # Find rows by content so the test does not depend on multi-line descriptions.
    text = "".join(lines)
    text = text.replace("hdf-2021-02,", "hdf-2021-01,", 1)          # duplicate id
    text = text.replace("commune:02666", "commune:02999", 1)        # unknown commune
    text = text.replace(",,alimentation,local,02,commune:", ",,culture,local,02,commune:", 1)  # the bus
    bad = tmp_path / "projets.csv"
    bad.write_text(text, encoding="utf-8")
    report = check_file(bad, files, territories)
    # Each error where it is; the precision of a row with an unknown territory is not judged.
    assert [(e.line, e.column) for e in report.errors] == [(3, "id"), (12, "theme"), (12, "territoires")]
    assert "déjà utilisé ligne 2" in report.errors[0].expected
    assert "« commune:02999 » est inconnu" in report.errors[2].expected


def test_cli_check_default_file_passes():
    """The one end-to-end run of the installed command (the others run in-process)."""
    result = subprocess.run([sys.executable, "-m", "webmap", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "54 projets valides" in result.stdout


def test_cli_check_reports_bad_header(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("id;titre\n1;a\n", encoding="utf-8")
    result = run_cli("check", bad)
    assert result.returncode == 1
    assert "ligne 1" in result.stderr and "en-tête canonique" in result.stderr
