"""Reliability: live data reload without failed or mixed responses, and a bounded load test.

Both run against gunicorn on 127.0.0.1 only, with bounded request counts and durations.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import canonical_rows, data_dir_with, start_server, write_projects

from webmap.projects.csvio import write_csv_text
from webmap.projects.schema import CANONICAL_COLUMNS

# Starts servers: left out of the fast subset (-m "not browser and not slow").
pytestmark = pytest.mark.slow


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:  # connection refused/reset: a failed request
        return 0, str(error).encode()


TITLE = "Création d'une plateforme logistique régionale mutualisée des Banques alimentaires"


def versions_of(body: bytes) -> set[str]:
    """Which versions of the first project's title a response carries (exactly one expected)."""
    text = body.decode("utf-8", errors="replace").replace("\\u0027", "'").replace("&#39;", "'")
    return {name for name, title in (("v1", TITLE), ("v2", TITLE + " (v2)"), ("v3", TITLE + " (v3)"))
            if title in text and (name != "v1" or (TITLE + " (v") not in text)}


def wait_for(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_data_file_replaced_broken_half_written_deleted_under_load(tmp_path):
    """While requests run: a valid new file, an invalid one, one written slowly in place,
    then no file. Zero failed requests; every response wholly of one valid version."""
    data_dir = data_dir_with(tmp_path / "data")
    path = data_dir / "projets.csv"
    process, base = start_server({"WEBMAP_DATA_DIR": str(data_dir), "WEBMAP_RELOAD_SETTLE": "0.4",
                                  "WEBMAP_RELOAD_CHECK": "0.1"})
    rows = canonical_rows()
    assert rows[0]["titre"] == TITLE

    def version(title_suffix: str) -> list[dict[str, str]]:
        edited = canonical_rows()
        edited[0]["titre"] = TITLE + title_suffix
        return edited

    def replace_atomically(new_rows) -> None:
        staging = data_dir / ".projets.csv.tmp"
        write_projects(staging, new_rows)
        os.replace(staging, path)

    def served(name: str) -> bool:
        return all(versions_of(fetch(base + "/projets.csv")[1]) == {name} for _ in range(6))

    results: list[tuple[str, int, bytes]] = []
    stop = threading.Event()

    def hammer():
        paths = ["/projets.csv", "/?niveau=epci", "/projets.geojson", "/donnees/fiches/hdf-2021-01.html",
                 "/projets"]
        deadline = time.monotonic() + 60
        i = 0
        while not stop.is_set() and time.monotonic() < deadline:
            url = paths[i % len(paths)]
            results.append((url, *fetch(base + url)))
            i += 1

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        replace_atomically(version(" (v2)"))
        assert wait_for(lambda: served("v2")), "the new valid file was never served"

        broken = version(" (v3)")
        broken[3]["territoires"] = "commune:80O21"
        replace_atomically(broken)
        assert wait_for(lambda: all(b"80O21" in fetch(base + "/sante")[1] for _ in range(6)))

        # An editor saving in place, slowly: half the rows, a pause, the rest.
        text = write_csv_text(CANONICAL_COLUMNS, version(" (v3)"))
        cut = text.index("\nhdf-2021-28,") + 1
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text[:cut])
            handle.flush()
            time.sleep(0.3)
            handle.write(text[cut:])
        assert wait_for(lambda: served("v3")), "the completed file was never served"

        path.unlink()
        assert wait_for(lambda: all(b"absent" in fetch(base + "/sante")[1] for _ in range(6)))
        assert served("v3")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        process.terminate()
        process.wait(timeout=20)

    failed = [(url, status) for url, status, _ in results if status != 200]
    assert results and failed == []
    for url, _, body in results:
        assert len(versions_of(body)) == 1, url
        if url == "/projets.csv":
            assert body.count(b"\nhdf-2021-") == 54


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
