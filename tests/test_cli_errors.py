"""Bad command lines and paths: a French message, a non-zero exit, nothing changed (issue 12)."""

from __future__ import annotations

import stat

import pytest
from conftest import DATA, REPO, data_dir_with

from webmap.cli import main

SOURCE = DATA / "sources" / "dossier_de_presse_2021.csv"


@pytest.fixture(autouse=True)
def no_server(monkeypatch):
    """A `serve` that got past its checks would block the suite: fail instead."""
    from webmap.web import server

    def started(self):
        raise AssertionError("le serveur a démarré malgré une erreur")

    monkeypatch.setattr(server._Gunicorn, "run", started)


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Error:" not in captured.err
    return code, captured.err


@pytest.mark.parametrize("output,expected", [
    ("{tmp}", "c'est un dossier"),
    ("{tmp}/absent/projets.csv", "dossier existant"),
    ("", "--output vide"),
    ("/sys/x", "permission refusée"),
])
def test_import_to_a_bad_output(capsys, tmp_path, output, expected):
    code, err = run(capsys, "import", str(SOURCE), "--output", output.format(tmp=tmp_path))
    assert code != 0 and expected in err


def test_import_of_a_folder(capsys, tmp_path):
    code, err = run(capsys, "import", str(tmp_path), "--output", str(tmp_path / "out.csv"))
    assert code == 1 and "c'est un dossier" in err
    assert not (tmp_path / "out.csv").exists()


def test_import_keeps_the_replaced_files_mode(capsys, tmp_path):
    out = tmp_path / "projets.csv"
    assert run(capsys, "import", str(SOURCE), "--output", str(out))[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    out.chmod(0o640)
    assert run(capsys, "import", str(SOURCE), "--output", str(out))[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_mixed_encoding_is_named(capsys, tmp_path):
    text = SOURCE.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    mixed = "".join(lines[:3]).encode("utf-8") + "".join(lines[3:]).encode("cp1252", errors="replace")
    source = tmp_path / "mixte.csv"
    source.write_bytes(mixed)
    code, err = run(capsys, "import", str(source), "--output", str(tmp_path / "out.csv"))
    assert code == 1 and "mélange de l'UTF-8" in err and "lieu" not in err
    assert err.count("\n") == 2  # one located error and the summary, not one per row


@pytest.mark.parametrize("target,expected", [
    ("README.md", "n'est pas un dossier"),
    ("README.md/sous-dossier", "n'existe pas ou n'est pas un dossier"),
    ("", "nom de dossier vide"),
])
def test_export_to_a_bad_folder(capsys, monkeypatch, target, expected):
    monkeypatch.chdir(REPO)
    code, err = run(capsys, "export", target)
    assert code == 2 and expected in err


@pytest.mark.parametrize("target", ["{data}", "{data}/..", ".", "..", "{repo}"])
def test_export_force_never_deletes_data_repo_or_cwd(capsys, monkeypatch, tmp_path, target):
    data = data_dir_with(tmp_path / "data")
    work = tmp_path / "data" / "travail"
    work.mkdir()
    monkeypatch.chdir(work)
    before = sorted(p.name for p in data.iterdir())
    code, err = run(capsys, "--data-dir", str(data), "export",
                    target.format(data=data, repo=REPO), "--force")
    assert code == 2 and "choisissez un dossier à part" in err
    assert sorted(p.name for p in data.iterdir()) == before


@pytest.mark.slow
def test_export_force_replaces_only_a_previous_export(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("WEBMAP_TILES_URL", "off")
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "note.txt").write_text("à garder", encoding="utf-8")
    code, err = run(capsys, "export", str(foreign), "--force")
    assert code == 2 and ".webmap-export" in err
    assert (foreign / "note.txt").read_text(encoding="utf-8") == "à garder"
    site = tmp_path / "site"  # a previous export: what export writes, its marker included
    site.mkdir()
    (site / "index.html").write_text("ancienne copie", encoding="utf-8")
    (site / ".webmap-export").write_text("Copie statique écrite par webmap export.\n", encoding="utf-8")
    (tmp_path / ".site.webmap-staging-abandonne").mkdir()  # left by a killed export
    assert run(capsys, "export", str(site), "--force")[0] == 0
    assert "ancienne copie" not in (site / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "site"]


@pytest.mark.parametrize("setup,expected", [
    (lambda d: (d / "projets.csv").write_text("", encoding="utf-8"), "ligne d'en-tête"),
    (lambda d: (d / "projets.csv").write_text("id,titre\n", encoding="utf-8"), "en-tête canonique"),
    (lambda d: (d / "communes.geojson").unlink(), "fichier introuvable"),
])
def test_serve_refuses_bad_data_before_starting(capsys, tmp_path, setup, expected):
    data = data_dir_with(tmp_path / "data")
    setup(data)
    code, err = run(capsys, "--data-dir", str(data), "serve", "--port", "8")
    assert code != 0 and expected in err


@pytest.mark.parametrize("argv,variable", [
    (["serve", "--workers", "beaucoup"], "--workers"),
    (["serve", "--port", "70000"], "--port"),
])
def test_serve_refuses_bad_options(capsys, argv, variable):
    code, err = run(capsys, *argv)
    assert code == 2 and variable in err and "Attendu" in err


def test_serve_refuses_bad_frame_ancestors(capsys, monkeypatch):
    monkeypatch.setenv("WEBMAP_FRAME_ANCESTORS", "https://a.example; report-uri https://evil.example/r")
    code, err = run(capsys, "serve")
    assert code == 2 and "WEBMAP_FRAME_ANCESTORS" in err


def test_server_options_from_environment():
    from webmap.web.server import ServerOptions

    options = ServerOptions.resolve({"workers": "3"}, {"WEBMAP_WORKERS": "5", "WEBMAP_THREADS": "8",
                                                       "WEBMAP_TIMEOUT": "20"})
    assert (options.workers, options.threads, options.timeout) == (3, 8, 20)
    assert options.gunicorn()["bind"] == "127.0.0.1:8000"


def test_gaps_refuses_a_file_check_rejects(capsys, tmp_path):
    data = data_dir_with(tmp_path / "data")
    (data / "projets.csv").write_text("id,titre\n", encoding="utf-8")
    code, err = run(capsys, "--data-dir", str(data), "gaps")
    assert code == 1 and "refusé par webmap check" in err and "en-tête canonique" in err
