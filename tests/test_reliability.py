"""Reliability: live data reload without failed or mixed responses, and a bounded load test.

Both run against gunicorn on 127.0.0.1 only, with bounded request counts and durations.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import DATA, start_server

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "data" / "sources" / "dossier_de_presse_2021.csv"


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:  # connection refused/reset: a failed request
        return 0, str(error).encode()


@pytest.fixture
def data_copy(tmp_path):
    for path in DATA.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_reload_while_serving_no_failed_or_mixed_response(data_copy, tmp_path_factory):
    process, base = start_server({"WEBMAP_DATA_DIR": str(data_copy)})
    try:
        old = fetch(base + "/projets.csv")[1]
        edited = tmp_path_factory.mktemp("src") / "saisie.csv"
        edited.write_text(SOURCE.read_text(encoding="utf-8").replace(
            "Création d'un atelier cuisine par la Banque alimentaire de l'Aisne",
            "Atelier cuisine de la Banque alimentaire de l'Aisne (titre corrigé)", 1), encoding="utf-8")
        results: list[tuple[int, bytes]] = []
        stop = threading.Event()

        def hammer():
            deadline = time.monotonic() + 25
            while not stop.is_set() and time.monotonic() < deadline:
                results.append(fetch(base + "/projets.csv"))
                results.append(fetch(base + "/?niveau=epci"))

        threads = [threading.Thread(target=hammer) for _ in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        imported = subprocess.run(
            [sys.executable, "-m", "webmap", "--data-dir", str(data_copy), "import", str(edited),
             "--output", str(data_copy / "projets.csv")], capture_output=True, text=True)
        assert imported.returncode == 0, imported.stderr
        new = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, body = fetch(base + "/projets.csv")
            if status == 200 and b"(titre corrig" in body:
                new = body
                break
            time.sleep(0.2)
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join()
        assert new is not None, "the new data were never served"
        assert [s for s, _ in results if s != 200] == []
        csv_bodies = [b for _, b in results if b.startswith(b"\xef\xbb\xbf")]
        assert csv_bodies and all(b in (old, new) for b in csv_bodies)
        pages = [b for _, b in results if b.startswith(b"<!doctype html>")]
        old_title, new_title = b"atelier cuisine par la Banque alimentaire", b"(titre corrig"
        assert pages and all((old_title in b) != (new_title in b) for b in pages)  # one version per page
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_bad_new_file_keeps_serving_the_current_data(data_copy):
    process, base = start_server({"WEBMAP_DATA_DIR": str(data_copy)})
    try:
        before = fetch(base + "/projets.geojson")
        (data_copy / "projets.csv").write_text("ceci n'est pas le bon format\n", encoding="utf-8")
        time.sleep(2.5)
        for _ in range(5):
            status, body = fetch(base + "/projets.geojson")
            assert status == 200 and body == before[1]
            time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_bounded_load_has_zero_errors(live_server):
    paths = ["/", "/embed?niveau=commune", "/projets", "/couverture", "/projets.csv",
             "/projets.geojson", "/donnees/geo/commune/59.bin", "/donnees/couverture/droits.json",
             "/?niveau=epci&indicateur=distance&theme=droits"]
    urls = [live_server + paths[i % len(paths)] for i in range(360)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = [status for status, _ in pool.map(fetch, urls)]
    assert time.monotonic() - started < 120
    assert statuses.count(200) == len(urls), {s: statuses.count(s) for s in set(statuses)}
