"""The dataset the app serves, reloaded without a restart when `projets.csv` changes.

`webmap import` replaces the file atomically (rename); each worker notices the new file
(checked at most every `CHECK_SECONDS`), builds and warms a new Dataset in a background
thread, then swaps one reference. A request takes the dataset once, at its start, and uses
it to the end: it sees the old data or the new, never a mix, and never waits for a load.
A file that does not load (wrong format) is logged and the current data stay in place.
"""

from __future__ import annotations

import logging
import threading
import time

from webmap.dataset import Dataset
from webmap.reference.files import ReferenceFiles

CHECK_SECONDS = 1.0
log = logging.getLogger(__name__)


def _signature(files: ReferenceFiles) -> tuple[int, int] | None:
    try:
        stat = files.projects.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


class DatasetHolder:
    def __init__(self, files: ReferenceFiles, dataset: Dataset | None = None):
        self.files = files
        self.dataset = dataset or Dataset.load(files)
        self._signature = _signature(files)
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._loading = False

    def current(self) -> Dataset:
        now = time.monotonic()
        if now - self._checked >= CHECK_SECONDS and not self._loading:
            self._checked = now
            signature = _signature(self.files)
            if signature is not None and signature != self._signature:
                self._start_reload(signature)
        return self.dataset

    def _start_reload(self, signature) -> None:
        with self._lock:
            if self._loading:
                return
            self._loading = True
        threading.Thread(target=self._reload, args=(signature,), daemon=True).start()

    def _reload(self, signature) -> None:
        try:
            fresh = Dataset.load(self.files, self.dataset.territories)
            fresh.warm_up()
            self.dataset = fresh  # one reference swap: atomic for the requests
            log.info("données rechargées (version %s)", fresh.version)
        except Exception:  # keep serving the current data
            log.exception("rechargement impossible : les données actuelles restent en place")
        finally:
            self._signature = signature
            self._loading = False

    def reload_now(self) -> Dataset:
        """Synchronous reload (tests, CLI)."""
        self._reload(_signature(self.files))
        return self.dataset
