"""The dataset the app serves, reloaded without a restart when `projets.csv` changes.

A thread in each worker looks at the file's signature every `check_seconds`. A changed
file is loaded only once it has kept the same signature for `settle_seconds` (an editor
saving in place or a slow copy is still writing), then read once, validated with exactly
the rules of `webmap check FILE`, warmed in that thread and swapped in with one reference
assignment. A request takes the dataset once, at its start, and uses it to the
end: it sees the old data or the new, never a mix, and never waits for a load.

A file that `webmap check` rejects, or that vanishes, changes nothing: the current data
stay in place and `/sante` names the rejected file with its first errors.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from webmap.mapview.dataset import Dataset
from webmap.projects.check import ProjectsRejected
from webmap.reference.files import ReferenceFiles

log = logging.getLogger(__name__)

Signature = tuple[int, int, int]


def file_signature(files: ReferenceFiles) -> Signature | None:
    try:
        stat = files.projects.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


@dataclass(frozen=True)
class Rejection:
    """The last file that was not loaded, and why (French, for /sante and the logs)."""

    signature: Signature | None
    when: float
    errors: tuple[str, ...]


class DatasetHolder:
    """The served dataset, and a watcher thread (one per process, started by the first
    request after a fork) that looks at the file every `check_seconds` and reloads it."""

    def __init__(self, files: ReferenceFiles, dataset: Dataset | None = None,
                 check_seconds: float = 1.0, settle_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic, watch: bool = True):
        self.files = files
        self.clock = clock
        self.check_seconds = check_seconds
        self.settle_seconds = settle_seconds
        self.watch = watch
        self._signature = file_signature(files)
        self.dataset = dataset or Dataset.load(files)
        self.rejected: Rejection | None = None
        self._seen: tuple[Signature | None, float] = (self._signature, clock())
        self._watcher_pid: int | None = None
        self._lock = threading.Lock()

    def current(self) -> Dataset:
        if self.watch and self._watcher_pid != os.getpid():
            self._start_watcher()
        return self.dataset

    def _start_watcher(self) -> None:
        with self._lock:
            if self._watcher_pid == os.getpid():
                return
            self._watcher_pid = os.getpid()  # threads do not survive gunicorn's fork
        threading.Thread(target=self._watch, name="webmap-donnees", daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.check_seconds)
            try:
                self.poll()
            except Exception:  # the watcher never dies: the current data stay served
                log.exception("surveillance du fichier des projets")

    def poll(self) -> None:
        """One look at the file: note a change, or load a file that has settled."""
        now = self.clock()
        signature = file_signature(self.files)
        if signature != self._seen[0]:
            self._seen = (signature, now)  # changed since last look: wait for it to settle
            return
        if signature is None:
            self._reject(None, ["fichier des projets absent : les données actuelles restent en place"])
            return
        settled = now - self._seen[1] >= self.settle_seconds
        known = signature == self._signature or (self.rejected and self.rejected.signature == signature)
        if settled and not known:
            self._reload(signature)

    def _reject(self, signature: Signature | None, errors: list[str]) -> None:
        if self.rejected and self.rejected.signature == signature:
            return
        self.rejected = Rejection(signature, time.time(), tuple(errors))
        log.warning("données refusées, les actuelles restent en place : %s", " ; ".join(errors))

    def _reload(self, signature: Signature | None) -> None:
        try:
            fresh = Dataset.load(self.files, self.dataset.territories)
            if file_signature(self.files) != signature:
                return  # written to while we read it: look again once it settles
            fresh.warm_up()
            self.dataset = fresh  # one reference swap: atomic for the requests
            self._signature = signature
            self.rejected = None
            log.info("données rechargées (version %s)", fresh.version)
        except ProjectsRejected as rejected:
            self._reject(signature, rejected.lines())
        except Exception as error:  # keep serving the current data
            log.exception("rechargement impossible : les données actuelles restent en place")
            self._reject(signature, [f"chargement impossible ({type(error).__name__})"])

    def reload_now(self) -> Dataset:
        """Synchronous reload, without waiting for the file to settle (tests, CLI)."""
        self._reload(file_signature(self.files))
        return self.dataset

    def health(self) -> dict:
        """What /sante reports: the version served and the last file refused."""
        rejected = None
        if self.rejected:
            rejected = {
                "depuis": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.rejected.when)),
                "erreurs": list(self.rejected.errors),
            }
        return {"statut": "ok", "projets": len(self.dataset.projects),
                "version": self.dataset.version, "fichier_refuse": rejected}
