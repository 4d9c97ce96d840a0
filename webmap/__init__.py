"""webmap: carte des projets du plan de soutien aux associations (Hauts-de-France)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__version__ = "0.1.0"

# The package's own files that decide how data files are written and read (vendored files are
# versioned by their folder's name).
_CODE_SUFFIXES = {".py", ".js", ".css", ".html", ".csv"}


@cache
def code_fingerprint() -> str:
    """A hash of the package's own code, templates, scripts and styles. It goes into the
    dataset version that the data URLs carry (`?v=`, cached a day by browsers): a release that
    changes how a data file is written or read gets new URLs even when the data did not
    change, so no visitor's browser mixes a cached file of the previous release with the new
    script that reads it."""
    return fingerprint_of(Path(__file__).resolve().parent)


def fingerprint_of(root: Path) -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.suffix in _CODE_SUFFIXES and not {"__pycache__", "vendor"} & set(relative.parts) and path.is_file():
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
