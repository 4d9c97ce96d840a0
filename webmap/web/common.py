"""Helpers shared by the blueprints."""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import BadRequest

from webmap.mapview.dataset import Dataset


class BadParameters(BadRequest):
    """A 400 whose French messages say which parameter is wrong and what is accepted."""

    def __init__(self, messages: list[str]):
        super().__init__()
        self.messages = messages


def dataset() -> Dataset:
    """The dataset of this request: taken once, so a reload never mixes two versions."""
    if "webmap_dataset" not in g:
        g.webmap_dataset = current_app.extensions["webmap.holder"].current()
    return g.webmap_dataset


def unknown_value(name: str, value: str, accepted) -> str:
    return (f"Paramètre « {name} » : valeur « {value} » inconnue. Valeurs acceptées : "
            f"{', '.join(accepted)}.")


VERSIONED_MAX_AGE = 86400


def versioned_max_age(data: Dataset) -> int:
    """Data URLs carry the dataset version (`?v=`): cached for a day when the body is of that
    version; otherwise (another worker, not yet reloaded, or no version) revalidated, so a
    response built from old data is never kept under a new version's URL."""
    return VERSIONED_MAX_AGE if request.args.get("v") == data.version else 0


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def protect_cell(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: prefix them with '."""
    return "'" + value if value.startswith(FORMULA_START) else value


# Territory pages a static copy writes: the departments' and EPCI's only (the 3,782 communes'
# would weigh 50 MB); there, a commune's summary is the map panel's, from its department's file.
STATIC_PAGE_KINDS = ("departement", "epci")
