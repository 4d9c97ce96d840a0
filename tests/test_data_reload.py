"""The served data change only for a complete file that `webmap check` accepts (issue 12)."""

from __future__ import annotations

import pytest
from conftest import canonical_rows, data_dir_with, write_projects

from webmap.mapview.dataset import Dataset
from webmap.reference.files import ReferenceFiles
from webmap.web import create_app
from webmap.web.config import Settings
from webmap.web.holder import DatasetHolder


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(tmp_path, territories):
    """A holder on a copy of the data, with a hand-driven clock (no sleeps)."""
    data_dir = data_dir_with(tmp_path / "data")
    files = ReferenceFiles(data_dir)
    clock = Clock()
    holder = DatasetHolder(files, Dataset.load(files, territories), check_seconds=1,
                           settle_seconds=2, clock=clock, watch=False)
    return holder, clock, data_dir / "projets.csv"


def step(holder: DatasetHolder, clock: Clock, seconds: float = 1.1) -> Dataset:
    """What the watcher does every second."""
    clock.now += seconds
    holder.poll()
    return holder.current()


def settle(holder, clock) -> Dataset:
    for _ in range(4):
        step(holder, clock)
    return holder.current()


def retitle(rows, title):
    rows[0]["titre"] = title
    return rows


@pytest.mark.parametrize("edit,expected", [
    (lambda r: r[3].update(territoires="commune:80O21"), "80O21"),
    (lambda r: r[3].update(territoires=""), "valeur vide — des codes typés de territoires"),
    (lambda r: r[3].update(theme="culture"), "alimentation, droits ou insertion"),
])
def test_a_file_check_rejects_is_never_served(setup, edit, expected):
    holder, clock, path = setup
    before = holder.dataset
    rows = canonical_rows()
    edit(rows)
    write_projects(path, rows)
    assert settle(holder, clock) is before
    health = holder.health()
    assert health["version"] == before.version
    assert any(expected in e for e in health["fichier_refuse"]["erreurs"])
    assert "ligne 5" in health["fichier_refuse"]["erreurs"][0]
    # Fixed: loaded, and the rejection is forgotten.
    write_projects(path, retitle(canonical_rows(), "Titre corrigé"))
    assert settle(holder, clock).projects[0].titre == "Titre corrigé"
    assert holder.health()["fichier_refuse"] is None


def test_a_file_still_being_written_waits_until_it_settles(setup):
    holder, clock, path = setup
    before = holder.dataset
    rows = retitle(canonical_rows(), "Titre après copie")
    # A slow copy: a few more complete rows each second (each prefix is a valid file).
    for end in range(5, len(rows), 5):
        write_projects(path, rows[:end])
        assert step(holder, clock) is before, end
    write_projects(path, rows)
    assert settle(holder, clock).projects[0].titre == "Titre après copie"
    assert len(holder.dataset.projects) == 54


def test_a_deleted_file_keeps_the_data(setup):
    holder, clock, path = setup
    before = holder.dataset
    path.unlink()
    assert settle(holder, clock) is before
    assert "absent" in holder.health()["fichier_refuse"]["erreurs"][0]


def test_the_watcher_reloads_without_requests(tmp_path, territories):
    """In the server, a thread polls the file: /sante is right without traffic."""
    import time

    data_dir = data_dir_with(tmp_path / "data")
    files = ReferenceFiles(data_dir)
    holder = DatasetHolder(files, Dataset.load(files, territories), check_seconds=0.05,
                           settle_seconds=0.1)
    holder.current()  # the first request starts the watcher
    rows = canonical_rows()
    rows[3]["territoires"] = "commune:80O21"
    write_projects(data_dir / "projets.csv", rows)
    deadline = time.monotonic() + 20
    while holder.rejected is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "80O21" in " ".join(holder.health()["fichier_refuse"]["erreurs"])


def test_downloads_come_from_the_loaded_data_not_the_disk(tmp_path, territories):
    data_dir = data_dir_with(tmp_path / "data")
    client = create_app(Settings(data_dir=data_dir, tiles_url="off"), territories).test_client()
    first = client.get("/projets.csv").get_data()
    (data_dir / "projets.csv").write_text("id,titre\n", encoding="utf-8")
    assert client.get("/projets.csv").get_data() == first
    (data_dir / "projets.csv").unlink()
    response = client.get("/projets.csv")
    assert response.status_code == 200 and response.get_data() == first
    assert client.get("/projets.geojson").status_code == 200


@pytest.mark.parametrize("content", ["", "id,titre\n", "\n\n", None])
def test_the_server_refuses_to_start_on_a_bad_file(tmp_path, territories, content):
    from webmap.projects.check import ProjectsRejected

    data_dir = data_dir_with(tmp_path / "data")
    if content is None:
        (data_dir / "projets.csv").unlink()
    else:
        (data_dir / "projets.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ProjectsRejected) as raised:
        create_app(Settings(data_dir=data_dir, tiles_url="off"), territories)
    message = raised.value.message()
    assert "projets.csv" in message and ("ligne" in message or "introuvable" in message)


def test_a_new_release_gets_new_data_urls_even_with_the_same_data(files, territories, monkeypatch, tmp_path):
    """The data URLs' `?v=` follows the code too: browsers keep those files a day, and a
    release that changes a file's format must not meet a cached file of the one before."""
    from webmap import fingerprint_of
    from webmap.mapview import dataset as module

    same = module.Dataset.load(files, territories).version
    assert module.Dataset.load(files, territories).version == same
    monkeypatch.setattr(module, "code_fingerprint", lambda: "0123456789abcdef")
    assert module.Dataset.load(files, territories).version != same

    package = tmp_path / "webmap"
    for name, text in {"static/polygons.js": "decode(1);", "mapview/polygon_codec.py": "STEP = 1",
                       "static/vendor/leaflet.js": "L", "__pycache__/x.pyc": "0"}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    before = fingerprint_of(package)
    (package / "static/vendor/leaflet.js").write_text("L2", encoding="utf-8")  # versioned by its folder
    (package / "__pycache__/x.pyc").write_text("1", encoding="utf-8")
    assert fingerprint_of(package) == before
    (package / "static/polygons.js").write_text("decode(2);", encoding="utf-8")
    assert fingerprint_of(package) != before
